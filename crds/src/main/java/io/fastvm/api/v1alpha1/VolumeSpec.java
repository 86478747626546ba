package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** A disk image kept in a PersistentVolumeClaim. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.source.volume) || self.source.volume.mode != 'overlay' || self.format =="
            + " 'qcow2'",
    message = "an overlay clone is a qcow2 image: set format qcow2 or clone mode copy",
    fieldPath = ".format")
@ValidationRule(
    value = "self.source == oldSelf.source",
    message = "source is immutable",
    fieldPath = ".source")
@ValidationRule(
    value = "self.format == oldSelf.format",
    message = "format is immutable",
    fieldPath = ".format")
@ValidationRule(
    value =
        "!isQuantity(self.size) || (quantity(self.size).compareTo(quantity('1Gi')) >= 0 &&"
            + " quantity(self.size).compareTo(quantity('1Ti')) <= 0)",
    message = "size must be between 1Gi and 1Ti",
    fieldPath = ".size")
@ValidationRule(
    value = "!isQuantity(self.size) || quantity(self.size).isInteger()",
    message = "size must be a whole number of bytes",
    fieldPath = ".size")
@ValidationRule(
    value =
        "!isQuantity(self.size) || !isQuantity(oldSelf.size) ||"
            + " quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0",
    message = "size may grow but not shrink",
    fieldPath = ".size")
public record VolumeSpec(
    @JsonPropertyDescription("Virtual size of the image, 1Gi to 1Ti. It may grow, never shrink.")
        @Required
        @Pattern(Patterns.QUANTITY)
        @Size(max = 32)
        String size,
    @JsonPropertyDescription("qcow2 or raw.") @Default("qcow2") VolumeFormat format,
    @JsonPropertyDescription("StorageClass of the PVC. Default: the cluster's default class.")
        @Size(max = 253)
        String storageClassName,
    @JsonPropertyDescription("Access modes of the PVC. Default: ReadWriteOnce.") @Size(max = 4)
        List<AccessMode> accessModes,
    @JsonPropertyDescription("Where the content comes from: blank, http, volume or snapshot.")
        @Required
        VolumeSource source) {

  public VolumeFormat effectiveFormat() {
    return format == null ? VolumeFormat.QCOW2 : format;
  }
}
