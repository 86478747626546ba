package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Coarse lifecycle phase of a VM; {@code printableStatus} says more. */
public enum VmPhase {
  @JsonProperty("Stopped")
  STOPPED,
  @JsonProperty("Pending")
  PENDING,
  @JsonProperty("Running")
  RUNNING,
  @JsonProperty("Stopping")
  STOPPING,
  @JsonProperty("Failed")
  FAILED
}
