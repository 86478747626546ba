package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record VolumeStatus(
    @JsonPropertyDescription("Pending, Populating, Ready, Failed.") VolumePhase phase,
    @JsonPropertyDescription("Progress of a download or copy, e.g. 42%.") String progress,
    @JsonPropertyDescription("Bytes downloaded or copied so far.") Long progressBytes,
    @JsonPropertyDescription("The PVC that holds the image.") String claimName,
    @JsonPropertyDescription("Path of the image file inside the PVC.") String imagePath,
    @JsonPropertyDescription("Format of the image: qcow2 or raw.") VolumeFormat format,
    @JsonPropertyDescription("Virtual size of the image (what the guest sees), as a quantity.")
        String virtualSize,
    @JsonPropertyDescription("Space the image takes in its PVC, as a quantity.")
        String allocatedSize,
    @JsonPropertyDescription(
            "For an overlay clone: the Volume whose image backs it (read-only while it has"
                + " clones).")
        String backingVolume,
    @JsonPropertyDescription("Conditions in the Kubernetes shape (Ready, InUse, ...).")
        List<Condition> conditions,
    @JsonPropertyDescription("Generation of the spec this status describes.")
        Long observedGeneration) {

  /** Where an image lives inside its PVC when the status does not say otherwise. */
  public static final String DEFAULT_IMAGE_PATH = "disk.img";
}
