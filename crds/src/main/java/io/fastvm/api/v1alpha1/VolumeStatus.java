package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record VolumeStatus(
    @JsonPropertyDescription("Pending, Provisioning, Importing, Cloning, Restoring, Ready, Failed.")
        VolumePhase phase,
    @JsonPropertyDescription("Progress of an import or clone, e.g. 42%.") String progress,
    @JsonPropertyDescription("The PVC that holds the image.") String claimName,
    @JsonPropertyDescription("Path of the image file inside the PVC.") String imagePath,
    @JsonPropertyDescription("Conditions in the Kubernetes shape (Ready, ...).")
        List<Condition> conditions,
    @JsonPropertyDescription("Generation of the spec this status describes.")
        Long observedGeneration) {

  /** Where an image lives inside its PVC when the status does not say otherwise. */
  public static final String DEFAULT_IMAGE_PATH = "disk.img";
}
