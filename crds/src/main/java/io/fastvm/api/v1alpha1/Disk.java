package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A disk or CD-ROM of a VM, backed by a Volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!self.cdrom || !has(self.bus) || self.bus != 'virtio'",
    message = "a CD-ROM needs bus sata or scsi (virtio-blk cannot be a CD-ROM)",
    fieldPath = ".bus")
@ValidationRule(
    value = "!self.cdrom || !has(self.readOnly) || self.readOnly",
    message = "a CD-ROM is always read-only: remove readOnly: false",
    fieldPath = ".readOnly")
@ValidationRule(
    value =
        "self.cdrom || !has(self.readOnly) || !self.readOnly || !has(self.bus) || self.bus !="
            + " 'sata'",
    message =
        "a read-only disk cannot be on the sata bus (QEMU's AHCI disks are always writable):"
            + " use virtio or scsi, or attach it as a CD-ROM",
    fieldPath = ".readOnly")
public record Disk(
    @JsonPropertyDescription("Name of the disk in this VM (a DNS label).")
        @Required
        @Pattern(Patterns.DNS_LABEL)
        @Size(max = 63)
        String name,
    @JsonPropertyDescription("Name of the Volume (same namespace) that holds the image.")
        @Required
        @Pattern(Patterns.OBJECT_NAME)
        @Size(max = 253)
        String volume,
    @JsonPropertyDescription("virtio, scsi or sata. Default: virtio for disks, sata for CD-ROMs.")
        DiskBus bus,
    @JsonPropertyDescription(
            "Attach as a CD-ROM (always read-only), e.g. an install or driver ISO.")
        @Default("false")
        Boolean cdrom,
    @JsonPropertyDescription("Attach read-only (not possible on the sata bus; CD-ROMs always are).")
        Boolean readOnly,
    @JsonPropertyDescription(
            "Boot priority, 1 first. Disks without bootOrder are not offered for boot when any"
                + " disk or network has one.")
        @Min(1)
        @Max(64)
        Integer bootOrder,
    @JsonPropertyDescription("Serial number the guest sees (at most 20 characters).")
        @Pattern(Patterns.DISK_SERIAL)
        String serial,
    @JsonPropertyDescription("Host cache mode. Default: none (O_DIRECT) where supported.")
        DiskCache cache,
    @JsonPropertyDescription("Pass guest TRIM/discard to the image (thin images shrink).")
        @Default("true")
        Boolean discard) {

  @JsonIgnore
  public boolean isCdromDisk() {
    return Boolean.TRUE.equals(cdrom);
  }

  /** CD-ROMs are always read-only. */
  @JsonIgnore
  public boolean isReadOnlyDisk() {
    return isCdromDisk() || Boolean.TRUE.equals(readOnly);
  }

  /** The bus to use when the spec leaves it open. */
  public DiskBus effectiveBus() {
    if (bus != null) {
      return bus;
    }
    return isCdromDisk() ? DiskBus.SATA : DiskBus.VIRTIO;
  }
}
