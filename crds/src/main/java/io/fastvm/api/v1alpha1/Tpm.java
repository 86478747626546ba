package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** An emulated TPM 2.0 (swtpm) whose state persists with the VM. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Tpm(
    @JsonPropertyDescription("Attach a TPM 2.0. Its state survives restarts.") @Default("true")
        Boolean enabled) {

  public boolean active() {
    return !Boolean.FALSE.equals(enabled);
  }
}
