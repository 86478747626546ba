package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Virtual CPU topology and model. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.sockets * self.cores * self.threads <= 288",
    message = "sockets * cores * threads must be at most 288 vCPUs (the q35 machine's limit)")
public record Cpu(
    @JsonPropertyDescription("Number of CPU sockets.") @Default("1") @Min(1) @Max(16)
        Integer sockets,
    @JsonPropertyDescription("Cores per socket.") @Default("1") @Min(1) @Max(256) Integer cores,
    @JsonPropertyDescription("Threads per core.") @Default("1") @Min(1) @Max(8) Integer threads,
    @JsonPropertyDescription(
            "QEMU CPU model: host, max, qemu64, Skylake-Client, Skylake-Server, EPYC, ... When"
                + " unset: host with KVM, max with TCG. 'host' needs KVM.")
        @Pattern(Patterns.CPU_MODEL)
        @Size(max = 64)
        String model) {

  /** Total number of vCPUs, treating unset counts as 1. */
  public int vcpus() {
    return orOne(sockets) * orOne(cores) * orOne(threads);
  }

  private static int orOne(Integer value) {
    return value == null ? 1 : value;
  }
}
