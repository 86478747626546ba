package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum VolumePhase {
  @JsonProperty("Pending")
  PENDING,
  @JsonProperty("Provisioning")
  PROVISIONING,
  @JsonProperty("Importing")
  IMPORTING,
  @JsonProperty("Cloning")
  CLONING,
  @JsonProperty("Restoring")
  RESTORING,
  @JsonProperty("Ready")
  READY,
  @JsonProperty("Failed")
  FAILED
}
