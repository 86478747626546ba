package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum CloudInitPhase {
  @JsonProperty("Pending")
  PENDING,
  @JsonProperty("Ready")
  READY,
  @JsonProperty("Failed")
  FAILED
}
