package io.fastvm.operator.vm;

import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.operator.status.PlannedEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What to do about a VM: the changes to make, the status to report, the events to emit, and when to
 * look again if nothing else happens.
 */
public record VmPlan(
    List<VmAction> actions,
    VirtualMachineStatus status,
    List<PlannedEvent> events,
    Optional<Duration> requeueAfter) {}
