package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** QEMU host cache mode of a disk. */
public enum DiskCache {
  @JsonProperty("none")
  NONE,
  @JsonProperty("writeback")
  WRITEBACK,
  @JsonProperty("writethrough")
  WRITETHROUGH,
  @JsonProperty("directsync")
  DIRECTSYNC,
  @JsonProperty("unsafe")
  UNSAFE
}
