package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fastvm.api.v1alpha1.GuestStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.status.StatusPatch;
import io.fastvm.operator.testing.PodStates;
import io.fastvm.operator.testing.TestVms;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The planner's view of the node agent's heartbeat: NodeAgentReady, and when to look again. */
class VmNodeAgentTest {
  private final OperatorSettings settings = OperatorSettings.defaults();
  private final Instant t0 = Instant.parse("2026-12-02T06:00:00Z");
  private final Map<String, Volume> volumes = Map.of("root", TestVms.readyVolume("root"));
  private final VirtualMachine vm = TestVms.vm("vm1", TestVms.spec().disk("root", "root").build());

  private VmPlan plan(Instant now, Map<String, NodeAgentHeartbeat> agents, Pod... pods) {
    VmPlan plan =
        VmPlanner.plan(
            new Observed(
                    vm,
                    List.of(pods),
                    Optional.empty(),
                    Optional.empty(),
                    volumes,
                    Optional.empty(),
                    now)
                .withNodeAgents(agents),
            settings);
    vm.setStatus(plan.status());
    return plan;
  }

  private Pod runningPod() {
    VmPlan first = plan(t0, Map.of());
    Pod pod =
        first.actions().stream()
            .filter(VmAction.CreatePod.class::isInstance)
            .map(a -> ((VmAction.CreatePod) a).pod())
            .findFirst()
            .orElseThrow();
    return PodStates.with(pod, PodStates.running(true, t0));
  }

  private Optional<Condition> condition(String type) {
    return Conditions.find(vm.getStatus().conditions(), type);
  }

  private static Map<String, NodeAgentHeartbeat> renewedAt(Instant at) {
    return Map.of(PodStates.NODE, new NodeAgentHeartbeat("agent-a", at, Duration.ofSeconds(40)));
  }

  @Test
  void aPodWithoutANodeHasNoNodeAgentCondition() {
    plan(t0, renewedAt(t0));
    assertThat(condition(VmConditions.NODE_AGENT_READY)).isEmpty();
  }

  @Test
  void aReportingAgentIsReadyAndTheVmIsLookedAtAgainWhenItsHeartbeatWouldGoStale() {
    Pod pod = runningPod();
    VmPlan plan = plan(t0.plusSeconds(5), renewedAt(t0), pod);
    Condition ready = condition(VmConditions.NODE_AGENT_READY).orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("NodeAgentReporting");
    assertThat(ready.getMessage()).contains(PodStates.NODE);
    // Renewed at t0 for 40 s, seen at t0+5: stale at t0+40, looked at a second after.
    assertThat(plan.requeueAfter()).contains(Duration.ofSeconds(36));

    // Renewals change nothing in the status.
    VirtualMachineStatus before = vm.getStatus();
    VmPlan renewed = plan(t0.plusSeconds(30), renewedAt(t0.plusSeconds(20)), pod);
    assertThat(StatusPatch.between(before, renewed.status())).isEmpty();
    assertThat(renewed.requeueAfter()).contains(Duration.ofSeconds(31));
  }

  @Test
  void aStaleHeartbeatSaysWhenTheAgentLastReportedAndTheGuestAgentStateIsUnknown() {
    Pod pod = runningPod();
    vm.setStatus(withGuest(vm.getStatus(), pod.getMetadata().getName()));
    plan(t0.plusSeconds(5), renewedAt(t0), pod);
    assertThat(condition(VmConditions.AGENT_CONNECTED).orElseThrow().getStatus()).isEqualTo("True");

    VmPlan stale = plan(t0.plusSeconds(41), renewedAt(t0), pod);
    Condition gone = condition(VmConditions.NODE_AGENT_READY).orElseThrow();
    assertThat(gone.getStatus()).isEqualTo("False");
    assertThat(gone.getReason()).isEqualTo("NodeAgentGone");
    assertThat(gone.getMessage()).contains(PodStates.NODE, "2026-12-02T06:00:00Z");
    Condition guest = condition(VmConditions.AGENT_CONNECTED).orElseThrow();
    assertThat(guest.getStatus()).isEqualTo("False");
    assertThat(guest.getReason()).isEqualTo("NodeAgentNotReporting");
    // Nothing more to wait for: the agent's return is an event.
    assertThat(stale.requeueAfter()).isEmpty();
    assertThat(stale.actions()).as("the VM is left running").isEmpty();
    assertThat(vm.getStatus().phase()).isEqualTo(io.fastvm.api.v1alpha1.VmPhase.RUNNING);

    plan(t0.plusSeconds(50), renewedAt(t0.plusSeconds(49)), pod);
    assertThat(condition(VmConditions.NODE_AGENT_READY).orElseThrow().getStatus())
        .isEqualTo("True");
    assertThat(condition(VmConditions.AGENT_CONNECTED).orElseThrow().getStatus()).isEqualTo("True");
  }

  @Test
  void aNodeWhereNoAgentEverReportedSaysSo() {
    Pod pod = runningPod();
    VmPlan plan = plan(t0.plusSeconds(5), Map.of(), pod);
    Condition missing = condition(VmConditions.NODE_AGENT_READY).orElseThrow();
    assertThat(missing.getStatus()).isEqualTo("False");
    assertThat(missing.getReason()).isEqualTo("NodeAgentMissing");
    assertThat(missing.getMessage()).contains(PodStates.NODE, "fastvm-node-agent");
    assertThat(plan.requeueAfter()).isEmpty();
    // The VM itself is not held up by it.
    assertThat(condition(VmConditions.READY).orElseThrow().getStatus()).isEqualTo("True");
  }

  private static VirtualMachineStatus withGuest(VirtualMachineStatus status, String pod) {
    GuestStatus guest = new GuestStatus(pod, true, null, "box", null, null, null, null);
    return new VirtualMachineStatus(
        status.phase(),
        status.printableStatus(),
        status.conditions(),
        status.nodeName(),
        status.podName(),
        status.interfaces(),
        status.ipAddress(),
        guest,
        status.vcpus(),
        status.failureCount(),
        status.retryAfter(),
        status.restartedAt(),
        status.observedGeneration());
  }
}
