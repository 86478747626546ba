package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a Volume's image is: asked for, being written, usable, or not to be had. */
public enum VolumePhase {
  /** Waiting: for its PVC, or for the source Volume or Snapshot to be Ready. */
  @JsonProperty("Pending")
  PENDING,
  /** A Job is writing the image (an empty image, a download, a copy); see progress. */
  @JsonProperty("Populating")
  POPULATING,
  /** Usable by a VM. */
  @JsonProperty("Ready")
  READY,
  /** Could not be made; the Ready condition says why. Fix the source and recreate it. */
  @JsonProperty("Failed")
  FAILED
}
