package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** What a Snapshot captures: all qcow2 disks of a VirtualMachine, or one Volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotSource(
    @JsonPropertyDescription("VirtualMachine or Volume.") @Required SnapshotSourceKind kind,
    @JsonPropertyDescription("Name of the VirtualMachine or Volume (same namespace).")
        @Required
        @Pattern(Patterns.OBJECT_NAME)
        @Size(max = 253)
        String name) {}
