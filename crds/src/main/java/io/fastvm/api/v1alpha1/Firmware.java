package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!self.secureBoot || self.type == 'uefi'",
    message = "secureBoot requires firmware type uefi",
    fieldPath = ".secureBoot")
public record Firmware(
    @JsonPropertyDescription("bios (SeaBIOS) or uefi (OVMF).") @Default("bios") FirmwareType type,
    @JsonPropertyDescription(
            "UEFI Secure Boot with Microsoft keys enrolled (Windows 11). Requires type uefi.")
        @Default("false")
        Boolean secureBoot) {

  public boolean uefi() {
    return type == FirmwareType.UEFI;
  }

  public boolean secureBootEnabled() {
    return Boolean.TRUE.equals(secureBoot);
  }
}
