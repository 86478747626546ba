package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Network configuration of the guest's first NIC. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.mode != 'static' || has(self.address)",
    message = "a static network needs an address (CIDR, e.g. 192.168.10.5/24)",
    fieldPath = ".address",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "self.mode == 'static' || (!has(self.address) && !has(self.gateway))",
    message = "address and gateway are only used with mode static",
    fieldPath = ".address")
public record GuestNetwork(
    @JsonPropertyDescription("dhcp or static.") @Default("dhcp") NetworkMode mode,
    @JsonPropertyDescription("Address with prefix length, e.g. 192.168.10.5/24 (static).")
        @Pattern(Patterns.CIDR)
        String address,
    @JsonPropertyDescription("Default gateway (static).") @Pattern(Patterns.IP) String gateway,
    @JsonPropertyDescription("DNS servers.") @Size(max = 8) List<String> nameservers,
    @JsonPropertyDescription("DNS search domains.") @Size(max = 8) List<String> searchDomains) {}
