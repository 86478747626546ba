package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum VolumeFormat {
  /** qcow2: thin, snapshots, copy-on-write clones. */
  @JsonProperty("qcow2")
  QCOW2,
  /** raw: fastest, also what ISOs and kernels are. */
  @JsonProperty("raw")
  RAW
}
