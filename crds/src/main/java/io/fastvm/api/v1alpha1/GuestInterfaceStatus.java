package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** One network interface as the guest agent sees it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GuestInterfaceStatus(
    @JsonPropertyDescription("Interface name in the guest, e.g. eth0.") String name,
    @JsonPropertyDescription("MAC address, lower case.") String macAddress,
    @JsonPropertyDescription("IPv4 and IPv6 addresses with prefix length, e.g. 10.0.2.50/24.")
        List<String> ipAddresses) {}
