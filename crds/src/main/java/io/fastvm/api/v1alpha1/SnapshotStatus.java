package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotStatus(
    @JsonPropertyDescription("Pending, InProgress, Ready, Restoring, Failed.") SnapshotPhase phase,
    @JsonPropertyDescription("Taken while the VM ran (QMP) rather than stopped (qemu-img).")
        Boolean online,
    @JsonPropertyDescription("When the snapshot was taken (RFC 3339).") String creationTime,
    @JsonPropertyDescription("The disks captured.") List<SnapshotDiskStatus> disks,
    @JsonPropertyDescription("Conditions in the Kubernetes shape.") List<Condition> conditions,
    @JsonPropertyDescription("Generation of the spec this status describes.")
        Long observedGeneration) {}
