package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Reference to a CloudInitConfig in the VM's namespace; the guest sees its seed as a read-only disk
 * labelled cidata (a CD-ROM on SATA).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudInitRef(
    @JsonPropertyDescription("Name of the CloudInitConfig.")
        @Required
        @Pattern(Patterns.OBJECT_NAME)
        @Size(max = 253)
        String name,
    @JsonPropertyDescription(
            "How the guest sees the seed: virtio (a read-only virtio-blk disk labelled cidata,"
                + " found by every virtio-capable guest; the default), scsi (a read-only disk on"
                + " the virtio-scsi controller) or sata (a CD-ROM on the SATA controller, for"
                + " guests without virtio drivers; the guest kernel needs AHCI).")
        @Default("virtio")
        DiskBus bus) {

  public CloudInitRef(String name) {
    this(name, null);
  }

  /** The bus, defaulted. */
  public DiskBus effectiveBus() {
    return bus == null ? DiskBus.VIRTIO : bus;
  }
}
