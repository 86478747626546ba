package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One disk captured by a Snapshot. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotDiskStatus(
    @JsonPropertyDescription("Disk name in the VM (empty for a Volume snapshot).") String disk,
    @JsonPropertyDescription("The Volume whose image holds the snapshot.") String volume,
    @JsonPropertyDescription("Name of the internal qcow2 snapshot.") String tag,
    @JsonPropertyDescription("Virtual size of the disk when captured.") String size) {}
