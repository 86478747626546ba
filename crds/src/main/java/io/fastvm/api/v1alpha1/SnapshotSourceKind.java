package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum SnapshotSourceKind {
  @JsonProperty("VirtualMachine")
  VIRTUAL_MACHINE,
  @JsonProperty("Volume")
  VOLUME
}
