package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum NicModel {
  @JsonProperty("virtio")
  VIRTIO,
  @JsonProperty("e1000")
  E1000,
  @JsonProperty("rtl8139")
  RTL8139
}
