package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed of a VirtualMachine. Written with merge patches only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualMachineStatus(
    @JsonPropertyDescription("Coarse phase.") VmPhase phase,
    @JsonPropertyDescription("Detailed status for humans (kubectl get).")
        PrintableStatus printableStatus,
    @JsonPropertyDescription("Ready, RestartRequired, ... in the Kubernetes condition shape.")
        List<Condition> conditions,
    @JsonPropertyDescription("Node the VM runs on.") String nodeName,
    @JsonPropertyDescription("Pod that runs the VM.") String podName,
    @JsonPropertyDescription("NICs with their addresses.") List<VmInterfaceStatus> interfaces,
    @JsonPropertyDescription("Primary IP address (first interface), for kubectl get.")
        String ipAddress,
    @JsonPropertyDescription(
            "What the guest agent reports (hostname, OS, addresses); written by the node agent.")
        GuestStatus guest,
    @JsonPropertyDescription("vCPUs of the running VM, for kubectl get.") Integer vcpus,
    @JsonPropertyDescription("Restarts after failures since the last successful run.")
        Integer failureCount,
    @JsonPropertyDescription("When the next restart after a failure may happen (RFC 3339).")
        String retryAfter,
    @JsonPropertyDescription("Value of the restart annotation last acted on.") String restartedAt,
    @JsonPropertyDescription("Generation of the spec this status describes.")
        Long observedGeneration) {}
