package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudInitConfigStatus(
    @JsonPropertyDescription("Pending, Ready or Failed.") CloudInitPhase phase,
    @JsonPropertyDescription(
            "Secret holding the rendered seed (user-data, meta-data," + " network-config).")
        String secretName,
    @JsonPropertyDescription("Conditions in the Kubernetes shape.") List<Condition> conditions,
    @JsonPropertyDescription("Generation of the spec this status describes.")
        Long observedGeneration) {}
