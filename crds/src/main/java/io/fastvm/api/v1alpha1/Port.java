package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A guest port forwarded from a NAT network (Service port in a cluster, localhost with fastvm run).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.name) || (self.name.matches('[a-z]') && !self.name.contains('--'))",
    message = "a port name is an IANA service name: at least one letter and no '--'",
    fieldPath = ".name")
public record Port(
    @JsonPropertyDescription("Name of the port (a DNS label), used for the Service port.")
        @Pattern(Patterns.DNS_LABEL)
        @Size(max = 15)
        String name,
    @JsonPropertyDescription("Port in the guest.") @Required @Min(1) @Max(65535) Integer port,
    @JsonPropertyDescription("TCP or UDP.") @Default("TCP") @Size(max = 3) PortProtocol protocol,
    @JsonPropertyDescription(
            "Port exposed outside: on the Service in a cluster, on 127.0.0.1 with fastvm run."
                + " Default: the guest port.")
        @Min(1)
        @Max(65535)
        Integer servicePort) {

  public PortProtocol effectiveProtocol() {
    return protocol != null ? protocol : PortProtocol.TCP;
  }

  public int exposedPort() {
    return servicePort != null ? servicePort : port;
  }
}
