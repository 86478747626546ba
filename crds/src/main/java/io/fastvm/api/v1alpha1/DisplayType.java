package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum DisplayType {
  /** QXL, the SPICE-friendly adapter (Windows needs the QXL driver from the virtio ISO). */
  @JsonProperty("qxl")
  QXL,
  /** Standard VGA: works with every guest without drivers. */
  @JsonProperty("vga")
  VGA,
  /** virtio-gpu (virtio-vga): modern Linux guests. */
  @JsonProperty("virtio")
  VIRTIO,
  /** No display adapter: serial console only. */
  @JsonProperty("none")
  NONE
}
