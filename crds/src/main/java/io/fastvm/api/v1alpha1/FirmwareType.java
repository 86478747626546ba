package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum FirmwareType {
  /** SeaBIOS. */
  @JsonProperty("bios")
  BIOS,
  /** OVMF (EDK II), with per-VM UEFI variables. */
  @JsonProperty("uefi")
  UEFI
}
