package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What is known of one NIC of a running VM. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmInterfaceStatus(
    @JsonPropertyDescription("Name of the network in spec.networks.") String name,
    @JsonPropertyDescription("MAC address of the NIC.") String macAddress,
    @JsonPropertyDescription("Primary IP address.") String ipAddress,
    @JsonPropertyDescription("All known IP addresses.") List<String> ipAddresses,
    @JsonPropertyDescription("Where the addresses come from: pod or guest-agent.")
        String infoSource) {}
