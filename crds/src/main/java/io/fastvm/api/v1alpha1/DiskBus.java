package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum DiskBus {
  @JsonProperty("virtio")
  VIRTIO,
  @JsonProperty("scsi")
  SCSI,
  @JsonProperty("sata")
  SATA
}
