package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudInitConfigStatus(
    @JsonPropertyDescription("Pending, Ready or Failed.") CloudInitPhase phase,
    @JsonPropertyDescription(
            "Secret (owned by this CloudInitConfig) holding the validated, rendered user-data;"
                + " each VM using it gets its own seed from it (<vm>-cloud-init).")
        String secretName,
    @JsonPropertyDescription(
            "SHA-256 of what this CloudInitConfig renders (user-data and network settings): it"
                + " changes exactly when the seed does.")
        String seedHash,
    @JsonPropertyDescription("Conditions in the Kubernetes shape.") List<Condition> conditions,
    @JsonPropertyDescription("Generation of the spec this status describes.")
        Long observedGeneration) {}
