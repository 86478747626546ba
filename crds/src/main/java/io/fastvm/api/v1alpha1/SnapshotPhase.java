package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum SnapshotPhase {
  @JsonProperty("Pending")
  PENDING,
  @JsonProperty("InProgress")
  IN_PROGRESS,
  @JsonProperty("Ready")
  READY,
  @JsonProperty("Restoring")
  RESTORING,
  @JsonProperty("Failed")
  FAILED
}
