package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A new Volume holding the state of a disk in a Snapshot. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotRestoreSource(
    @JsonPropertyDescription("Name of the Snapshot.")
        @Required
        @Pattern(Patterns.OBJECT_NAME)
        @Size(max = 253)
        String name,
    @JsonPropertyDescription(
            "For a VirtualMachine snapshot: which of its disks (spec.disks[].name). Not needed"
                + " when the snapshot holds one disk.")
        @Pattern(Patterns.DNS_LABEL)
        @Size(max = 63)
        String disk) {}
