package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** PersistentVolumeClaim access modes. */
public enum AccessMode {
  @JsonProperty("ReadWriteOnce")
  READ_WRITE_ONCE,
  @JsonProperty("ReadWriteOncePod")
  READ_WRITE_ONCE_POD,
  @JsonProperty("ReadWriteMany")
  READ_WRITE_MANY,
  @JsonProperty("ReadOnlyMany")
  READ_ONLY_MANY;

  /** The name Kubernetes uses, e.g. {@code ReadWriteOnce}. */
  public String kubernetesName() {
    return switch (this) {
      case READ_WRITE_ONCE -> "ReadWriteOnce";
      case READ_WRITE_ONCE_POD -> "ReadWriteOncePod";
      case READ_WRITE_MANY -> "ReadWriteMany";
      case READ_ONLY_MANY -> "ReadOnlyMany";
    };
  }
}
