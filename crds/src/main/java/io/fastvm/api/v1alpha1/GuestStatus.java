package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * What the node agent learned from the guest's qemu-guest-agent. Written by the node agent only
 * (the operator keeps it while the VM's pod runs and drops it when the pod is gone).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GuestStatus(
    @JsonPropertyDescription("The VM pod whose guest this describes.") String podName,
    @JsonPropertyDescription("Whether qemu-guest-agent in the guest answers.")
        Boolean agentConnected,
    @JsonPropertyDescription("Why the agent does not answer, when it does not.") String message,
    @JsonPropertyDescription("The guest's host name.") String hostname,
    @JsonPropertyDescription("The guest OS, e.g. Debian GNU/Linux.") String osName,
    @JsonPropertyDescription("Its version, e.g. 12 (bookworm).") String osVersion,
    @JsonPropertyDescription("The running kernel's release.") String kernelRelease,
    @JsonPropertyDescription("The guest's network interfaces (not loopback) with their addresses.")
        List<GuestInterfaceStatus> interfaces) {}
