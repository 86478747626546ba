package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum CloneMode {
  /** A qcow2 overlay backed by the source image: ready in seconds, the source must stay. */
  @JsonProperty("overlay")
  OVERLAY,
  /** A full, independent copy. */
  @JsonProperty("copy")
  COPY
}
