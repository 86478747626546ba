package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A point-in-time state of qcow2 disks, kept inside the images (no CSI snapshot support needed).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.source == oldSelf.source",
    message = "source is immutable",
    fieldPath = ".source")
public record SnapshotSpec(
    @JsonPropertyDescription("The VirtualMachine or Volume to snapshot.") @Required
        SnapshotSource source,
    @JsonPropertyDescription(
            "auto: online over QMP when the VM runs, offline with qemu-img when stopped;"
                + " online or offline to insist on one.")
        @Default("auto")
        SnapshotMode mode,
    @JsonPropertyDescription("Free text for humans.") @Size(max = 1024) String description) {}
