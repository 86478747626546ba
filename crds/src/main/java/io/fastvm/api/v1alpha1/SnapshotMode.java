package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum SnapshotMode {
  /** Online (QMP) when the VM runs, offline (qemu-img) when it is stopped. */
  @JsonProperty("auto")
  AUTO,
  /** Only while the VM runs, over QMP. */
  @JsonProperty("online")
  ONLINE,
  /** Only while the VM is stopped, with qemu-img. */
  @JsonProperty("offline")
  OFFLINE
}
