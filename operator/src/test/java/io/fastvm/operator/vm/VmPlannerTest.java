package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.RunStrategy;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VmPhase;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.status.PlannedEvent;
import io.fastvm.operator.status.StatusPatch;
import io.fastvm.operator.testing.PodStates;
import io.fastvm.operator.testing.TestVms;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The planner as a pure function: observed state in, actions and status out. */
class VmPlannerTest {

  private final OperatorSettings settings = OperatorSettings.defaults();
  private final Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
  private final Map<String, Volume> volumes = Map.of("root", TestVms.readyVolume("root"));

  private VirtualMachine vm(RunStrategy strategy) {
    return TestVms.vm("vm1", TestVms.spec().runStrategy(strategy).disk("root", "root").build());
  }

  private VmPlan plan(VirtualMachine vm, Instant now, Pod... pods) {
    return VmPlanner.plan(
        new Observed(
            vm, List.of(pods), Optional.empty(), Optional.empty(), volumes, Optional.empty(), now),
        settings);
  }

  /** Plans, then keeps the status as the reconciler would. */
  private VmPlan step(VirtualMachine vm, Instant now, Pod... pods) {
    VmPlan plan = plan(vm, now, pods);
    vm.setStatus(plan.status());
    return plan;
  }

  private static Pod created(VmPlan plan) {
    return plan.actions().stream()
        .filter(VmAction.CreatePod.class::isInstance)
        .map(a -> ((VmAction.CreatePod) a).pod())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no pod created: " + plan.actions()));
  }

  private static List<String> deleted(VmPlan plan) {
    List<String> names = new ArrayList<>();
    for (VmAction a : plan.actions()) {
      if (a instanceof VmAction.DeletePod d) {
        names.add(d.name());
      }
    }
    return names;
  }

  private static Condition condition(VirtualMachine vm, String type) {
    return Conditions.find(vm.getStatus().conditions(), type).orElse(null);
  }

  @Test
  void alwaysStartsThenReportsStartingAndRunning() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    VmPlan first = step(vm, t0);
    Pod pod = created(first);
    // The pod exists (just created): Starting. Provisioning is for a new state PVC.
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.STARTING);
    assertThat(vm.getStatus().podName()).isEqualTo(pod.getMetadata().getName());

    step(vm, t0.plusSeconds(1), pod);
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.STARTING);

    step(vm, t0.plusSeconds(2), PodStates.with(pod, PodStates.running(false, t0)));
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.STARTING);

    VmPlan running = step(vm, t0.plusSeconds(3), PodStates.with(pod, PodStates.running(true, t0)));
    assertThat(running.actions()).isEmpty();
    assertThat(vm.getStatus().phase()).isEqualTo(VmPhase.RUNNING);
    assertThat(vm.getStatus().nodeName()).isEqualTo(PodStates.NODE);
    assertThat(vm.getStatus().vcpus()).isEqualTo(2);
    assertThat(condition(vm, VmConditions.READY).getStatus()).isEqualTo("True");
    assertThat(running.events()).extracting(PlannedEvent::reason).contains("Running");

    // Reconciling the same observation again changes nothing: no flapping, no patch.
    var again = plan(vm, t0.plusSeconds(60), PodStates.with(pod, PodStates.running(true, t0)));
    assertThat(StatusPatch.between(vm.getStatus(), again.status())).isEmpty();
    assertThat(again.events()).isEmpty();
  }

  @Test
  void aRunningVmWhoseProbeFailsStaysRunningButNotReady() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = created(step(vm, t0));
    step(vm, t0.plusSeconds(1), PodStates.with(pod, PodStates.running(true, t0)));
    VmPlan hung = step(vm, t0.plusSeconds(60), PodStates.with(pod, PodStates.running(false, t0)));
    assertThat(hung.actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.RUNNING);
    assertThat(condition(vm, VmConditions.READY).getStatus()).isEqualTo("False");
    assertThat(condition(vm, VmConditions.READY).getReason()).isEqualTo("NotReady");
    step(vm, t0.plusSeconds(70), PodStates.with(pod, PodStates.running(true, t0)));
    assertThat(condition(vm, VmConditions.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void natInterfacesShowThePodIp() {
    VirtualMachine vm = TestVms.vm("web", TestVms.spec().disk("root", "root").natWithSsh().build());
    Pod pod = created(step(vm, t0));
    VmPlan plan = step(vm, t0.plusSeconds(1), PodStates.with(pod, PodStates.running(true, t0)));
    assertThat(vm.getStatus().ipAddress()).isEqualTo(PodStates.POD_IP);
    assertThat(vm.getStatus().interfaces())
        .singleElement()
        .satisfies(i -> assertThat(i.infoSource()).isEqualTo("pod"));
    // Without an observed Service the planner asks for one; no pod changes.
    assertThat(plan.actions()).allMatch(VmAction.CreateService.class::isInstance);
  }

  @Test
  void alwaysRestartsAfterPowerOffAndReplacesTheOldPod() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = created(step(vm, t0));
    Pod off = PodStates.with(pod, PodStates.exited(0, "guest powered off", t0, t0.plusSeconds(30)));
    VmPlan plan = step(vm, t0.plusSeconds(31), off);
    Pod next = created(plan);
    assertThat(next.getMetadata().getName()).endsWith("-2");
    assertThat(deleted(plan)).containsExactly(pod.getMetadata().getName());
  }

  @Test
  void rerunOnFailureStaysOffAfterPowerOff() {
    VirtualMachine vm = vm(RunStrategy.RERUN_ON_FAILURE);
    Pod pod = created(step(vm, t0));
    Pod off = PodStates.with(pod, PodStates.exited(0, "", t0, t0.plusSeconds(30)));
    VmPlan plan = step(vm, t0.plusSeconds(31), off);
    assertThat(plan.actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPED);
    assertThat(condition(vm, VmConditions.READY).getReason()).isEqualTo("PoweredOff");
    // Even when the finished pod is gone, the status remembers the VM ran.
    assertThat(step(vm, t0.plusSeconds(40)).actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPED);
  }

  @Test
  void failuresBackOffExponentiallyAndShowCrashLoop() {
    VirtualMachine vm = vm(RunStrategy.RERUN_ON_FAILURE);
    Pod pod = created(step(vm, t0));
    Instant end = t0.plusSeconds(5);
    Pod failed = PodStates.with(pod, PodStates.exited(4, "QEMU crashed: SIGSEGV", t0, end));

    VmPlan waiting = step(vm, end.plusSeconds(1), failed);
    assertThat(waiting.actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.CRASH_LOOP_BACK_OFF);
    assertThat(vm.getStatus().failureCount()).isEqualTo(1);
    assertThat(vm.getStatus().retryAfter()).isEqualTo(end.plusSeconds(10).toString());
    assertThat(condition(vm, VmConditions.READY).getMessage()).contains("QEMU crashed: SIGSEGV");
    assertThat(waiting.requeueAfter()).isPresent();
    assertThat(waiting.events())
        .anySatisfy(e -> assertThat(e.reason()).isEqualTo("CrashLoopBackOff"));

    Pod second = created(step(vm, end.plusSeconds(10), failed));
    assertThat(second.getMetadata().getAnnotations())
        .containsEntry(VmMetadata.FAILURE_COUNT_ANNOTATION, "1");
    Instant end2 = end.plusSeconds(15);
    Pod failed2 =
        PodStates.with(second, PodStates.exited(3, "no such file", end.plusSeconds(11), end2));
    step(vm, end2.plusSeconds(1), failed2);
    assertThat(vm.getStatus().failureCount()).isEqualTo(2);
    assertThat(vm.getStatus().retryAfter()).isEqualTo(end2.plusSeconds(20).toString());
  }

  @Test
  void inputTheLauncherRefusedIsNotRetriedUntilTheSpecChangesOrARestartIsRequested() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = created(step(vm, t0));
    Pod refused =
        PodStates.with(pod, PodStates.exited(2, "disk root: no such file", t0, t0.plusSeconds(1)));
    VmPlan plan = step(vm, t0.plusSeconds(2), refused);
    assertThat(plan.actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.FAILED);
    assertThat(condition(vm, VmConditions.READY).getReason()).isEqualTo("InvalidInput");
    assertThat(condition(vm, VmConditions.READY).getMessage())
        .contains("disk root: no such file", "not restarted until the spec changes");
    assertThat(plan.requeueAfter()).isEmpty();
    assertThat(step(vm, t0.plus(Duration.ofHours(1)), refused).actions()).isEmpty();

    // A restart request tries again (the user fixed what the launcher refused).
    VirtualMachine restarted = TestVms.vm("vm1", TestVms.spec().disk("root", "root").build());
    restarted.setStatus(vm.getStatus());
    restarted
        .getMetadata()
        .setAnnotations(new java.util.HashMap<>(Map.of(VirtualMachine.RESTART_ANNOTATION, "r1")));
    assertThat(
            created(plan(restarted, t0.plus(Duration.ofHours(1)), refused)).getMetadata().getName())
        .endsWith("-2");

    // So does a changed spec.
    VirtualMachine changed =
        TestVms.vm("vm1", TestVms.spec().memory("4Gi").disk("root", "root").build());
    changed.setStatus(vm.getStatus());
    assertThat(
            created(plan(changed, t0.plus(Duration.ofHours(1)), refused)).getMetadata().getName())
        .endsWith("-2");
  }

  @Test
  void backoffIsCappedAndALongRunResetsIt() {
    assertThat(VmPlanner.backoff(1, settings)).isEqualTo(Duration.ofSeconds(10));
    assertThat(VmPlanner.backoff(4, settings)).isEqualTo(Duration.ofSeconds(80));
    assertThat(VmPlanner.backoff(30, settings)).isEqualTo(Duration.ofMinutes(5));

    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = created(step(vm, t0));
    pod.getMetadata().getAnnotations().put(VmMetadata.FAILURE_COUNT_ANNOTATION, "6");
    Instant end = t0.plus(Duration.ofHours(1));
    step(vm, end, PodStates.with(pod, PodStates.exited(4, "crash", t0, end)));
    assertThat(vm.getStatus().failureCount()).isEqualTo(1);
  }

  @Test
  void onceNeverRestarts() {
    VirtualMachine vm = vm(RunStrategy.ONCE);
    Pod pod = created(step(vm, t0));
    VmPlan plan =
        step(
            vm,
            t0.plusSeconds(9),
            PodStates.with(pod, PodStates.exited(4, "crash", t0, t0.plusSeconds(8))));
    assertThat(plan.actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.FAILED);
    assertThat(vm.getStatus().phase()).isEqualTo(VmPhase.FAILED);
  }

  @Test
  void haltedStopsTheRunningPodGracefully() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = PodStates.with(created(step(vm, t0)), PodStates.running(true, t0));
    step(vm, t0.plusSeconds(1), pod);
    vm.getSpec(); // spec is a record: switch strategy by building a new VM with the same identity
    VirtualMachine halted = withStrategy(vm, RunStrategy.HALTED);
    VmPlan stop = step(halted, t0.plusSeconds(2), pod);
    assertThat(stop.actions())
        .containsExactly(new VmAction.DeletePod(pod.getMetadata().getName(), "Halted", false));
    assertThat(halted.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPING);

    step(halted, t0.plusSeconds(3), PodStates.terminating(pod, t0.plusSeconds(2)));
    assertThat(halted.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPING);
    VmPlan gone = step(halted, t0.plusSeconds(20));
    assertThat(gone.actions()).isEmpty();
    assertThat(halted.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPED);
    assertThat(halted.getStatus().podName()).isNull();
  }

  @Test
  void manualStartsAndStopsOnRequestsOnly() {
    VirtualMachine vm = vm(RunStrategy.MANUAL);
    assertThat(step(vm, t0).actions()).isEmpty();
    assertThat(condition(vm, VmConditions.READY).getReason()).isEqualTo("WaitingForStartRequest");

    vm.getMetadata()
        .setAnnotations(
            new java.util.HashMap<>(
                Map.of(VirtualMachine.RESTART_ANNOTATION, "2026-11-23T10:01:00Z")));
    Pod pod = created(step(vm, t0.plusSeconds(61)));
    assertThat(vm.getStatus().restartedAt()).isEqualTo("2026-11-23T10:01:00Z");
    Pod running = PodStates.with(pod, PodStates.running(true, t0));
    step(vm, t0.plusSeconds(62), running);

    // The guest powers off: Manual does not restart, the start request counts as done.
    Pod off = PodStates.with(pod, PodStates.exited(0, "", t0, t0.plusSeconds(70)));
    assertThat(step(vm, t0.plusSeconds(71), off).actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPED);

    // A new start request starts it again; a later stop request stops it.
    vm.getMetadata()
        .getAnnotations()
        .put(VirtualMachine.RESTART_ANNOTATION, "2026-11-23T10:02:00Z");
    Pod pod2 = created(step(vm, t0.plusSeconds(121), off));
    Pod running2 = PodStates.with(pod2, PodStates.running(true, t0.plusSeconds(121)));
    step(vm, t0.plusSeconds(122), running2);
    vm.getMetadata().getAnnotations().put(VmMetadata.STOP_ANNOTATION, "2026-11-23T10:03:00Z");
    VmPlan stop = step(vm, t0.plusSeconds(181), running2);
    assertThat(deleted(stop)).containsExactly(pod2.getMetadata().getName());
    assertThat(step(vm, t0.plusSeconds(200)).actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPED);
  }

  @Test
  void restartAnnotationReplacesTheRunningPodOnceAndAppliesSpecChanges() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = PodStates.with(created(step(vm, t0)), PodStates.running(true, t0));
    step(vm, t0.plusSeconds(1), pod);

    VirtualMachine changed =
        TestVms.vm("vm1", TestVms.spec().memory("4Gi").disk("root", "root").build());
    changed.setStatus(vm.getStatus());
    VmPlan plan = step(changed, t0.plusSeconds(2), pod);
    assertThat(plan.actions()).isEmpty();
    Condition restartRequired = condition(changed, VmConditions.RESTART_REQUIRED);
    assertThat(restartRequired.getStatus()).isEqualTo("True");
    assertThat(restartRequired.getMessage()).contains("changed: memory");
    assertThat(plan.events()).extracting(PlannedEvent::reason).contains("RestartRequired");

    changed
        .getMetadata()
        .setAnnotations(new java.util.HashMap<>(Map.of(VirtualMachine.RESTART_ANNOTATION, "r1")));
    VmPlan stop = step(changed, t0.plusSeconds(3), pod);
    assertThat(deleted(stop)).containsExactly(pod.getMetadata().getName());
    Pod terminating = PodStates.terminating(pod, t0.plusSeconds(3));
    assertThat(step(changed, t0.plusSeconds(4), terminating).actions()).isEmpty();
    Pod next = created(step(changed, t0.plusSeconds(10)));
    assertThat(next.getMetadata().getAnnotations())
        .containsEntry(VmMetadata.POD_RESTART_ANNOTATION, "r1");
    assertThat(changed.getStatus().restartedAt()).isEqualTo("r1");
    Pod nextRunning = PodStates.with(next, PodStates.running(true, t0.plusSeconds(11)));
    VmPlan settled = step(changed, t0.plusSeconds(12), nextRunning);
    assertThat(settled.actions()).isEmpty();
    assertThat(condition(changed, VmConditions.RESTART_REQUIRED)).isNull();
  }

  @Test
  void podDeletedFromUnderUsRestartsForAlwaysButNotForOnce() {
    VirtualMachine always = vm(RunStrategy.ALWAYS);
    Pod pod = PodStates.with(created(step(always, t0)), PodStates.running(true, t0));
    step(always, t0.plusSeconds(1), pod);
    VmPlan plan = step(always, t0.plusSeconds(2));
    assertThat(created(plan).getMetadata().getName()).endsWith("-2");
    assertThat(plan.events()).extracting(PlannedEvent::reason).contains("PodDeleted");

    VirtualMachine once = vm(RunStrategy.ONCE);
    Pod pod2 = PodStates.with(created(step(once, t0)), PodStates.running(true, t0));
    step(once, t0.plusSeconds(1), pod2);
    assertThat(step(once, t0.plusSeconds(2)).actions()).isEmpty();
    assertThat(once.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPED);
    assertThat(step(once, t0.plusSeconds(3)).actions()).isEmpty();
  }

  @Test
  void aDrainedPodWhoseGuestShutDownCleanlyIsLostNotPoweredOff() {
    VirtualMachine vm = vm(RunStrategy.RERUN_ON_FAILURE);
    Pod pod = PodStates.with(created(step(vm, t0)), PodStates.running(true, t0));
    step(vm, t0.plusSeconds(1), pod);
    // kubectl drain: the pod is deleted, the launcher powers the guest down, exit 0.
    Pod drained =
        PodStates.terminating(
            PodStates.with(pod, PodStates.exited(0, "", t0, t0.plusSeconds(20))),
            t0.plusSeconds(80));
    VmPlan plan = step(vm, t0.plusSeconds(21), drained);
    assertThat(created(plan).getMetadata().getName()).endsWith("-2");
    assertThat(plan.events()).extracting(PlannedEvent::reason).contains("PodDeleted");
  }

  @Test
  void aStopRequestedByTheUserIsNotMistakenForALostPod() {
    VirtualMachine vm = vm(RunStrategy.RERUN_ON_FAILURE);
    Pod pod = PodStates.with(created(step(vm, t0)), PodStates.running(true, t0));
    step(vm, t0.plusSeconds(1), pod);
    VirtualMachine halted = withStrategy(vm, RunStrategy.HALTED);
    assertThat(deleted(step(halted, t0.plusSeconds(2), pod)))
        .containsExactly(pod.getMetadata().getName());
    Pod stopped =
        PodStates.terminating(
            PodStates.with(pod, PodStates.exited(0, "", t0, t0.plusSeconds(20))),
            t0.plusSeconds(80));
    VmPlan plan = step(halted, t0.plusSeconds(21), stopped);
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.events()).extracting(PlannedEvent::reason).doesNotContain("PodDeleted");
    assertThat(halted.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPED);
  }

  @Test
  void nodeLostIsReportedThenThePodIsForceDeletedAndTheVmStartsAgain() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = PodStates.with(created(step(vm, t0)), PodStates.running(true, t0));
    step(vm, t0.plusSeconds(1), pod);
    Pod lost = PodStates.with(pod, PodStates.unknown());
    VmPlan report = step(vm, t0.plusSeconds(10), lost);
    assertThat(report.actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.UNKNOWN);
    assertThat(report.requeueAfter()).isPresent();

    VmPlan force = step(vm, t0.plusSeconds(10).plus(Duration.ofMinutes(5)), lost);
    assertThat(force.actions())
        .containsExactly(new VmAction.DeletePod(pod.getMetadata().getName(), "NodeLost", true));
    assertThat(created(step(vm, t0.plusSeconds(400))).getMetadata().getName()).endsWith("-2");
  }

  @Test
  void theNodeLostTimeoutStartsWhenTheNodeStopsReportingNotWhenReadyLastChanged() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = created(step(vm, t0));
    // Never ready: the Ready condition has been False since t0.
    step(vm, t0.plusSeconds(1), PodStates.with(pod, PodStates.running(false, t0)));
    Instant lostAt = t0.plus(Duration.ofHours(1));
    Pod lost = PodStates.with(pod, PodStates.unknown());
    assertThat(step(vm, lostAt, lost).actions()).isEmpty();
    assertThat(step(vm, lostAt.plusSeconds(60), lost).actions()).isEmpty();
    assertThat(condition(vm, VmConditions.NODE_REACHABLE).getLastTransitionTime())
        .isEqualTo(lostAt.toString());
    assertThat(deleted(step(vm, lostAt.plus(Duration.ofMinutes(5)), lost)))
        .containsExactly(pod.getMetadata().getName());
    // Back on its feet: no NodeReachable condition until the next loss.
    assertThat(condition(vm, VmConditions.NODE_REACHABLE)).isNull();
  }

  @Test
  void aPodStuckTerminatingOnADeadNodeIsForceDeletedAfterTheTimeout() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = PodStates.with(created(step(vm, t0)), PodStates.running(true, t0));
    step(vm, t0.plusSeconds(1), pod);
    // Evicted from an unreachable node: deleted, but nobody confirms it.
    Pod stuck = PodStates.terminating(pod, t0.plusSeconds(75));
    VmPlan waiting = step(vm, t0.plusSeconds(100), stuck);
    assertThat(waiting.actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.STOPPING);
    assertThat(waiting.requeueAfter()).isPresent();
    VmPlan force = step(vm, t0.plusSeconds(75).plus(Duration.ofMinutes(5)), stuck);
    assertThat(force.actions())
        .containsExactly(new VmAction.DeletePod(pod.getMetadata().getName(), "NodeLost", true));
    assertThat(created(step(vm, t0.plusSeconds(400))).getMetadata().getName()).endsWith("-2");
  }

  @Test
  void unschedulablePodsShowAsSuch() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = created(step(vm, t0));
    step(
        vm,
        t0.plusSeconds(1),
        PodStates.with(
            pod, PodStates.unschedulable("0/3 nodes: Insufficient devices.fastvm.io/kvm")));
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.ERROR_UNSCHEDULABLE);
    assertThat(condition(vm, VmConditions.READY).getMessage()).contains("Insufficient");
  }

  @Test
  void missingVolumesWaitWithAConditionNamingThem() {
    VirtualMachine vm =
        TestVms.vm(
            "vm2",
            TestVms.spec().disk("root", "root").cdrom("iso", "iso").cloudInit("init").build());
    VmPlan plan =
        VmPlanner.plan(
            new Observed(
                vm,
                List.of(),
                Optional.empty(),
                Optional.empty(),
                Map.of("root", TestVms.volume("root")),
                Optional.empty(),
                t0),
            settings);
    vm.setStatus(plan.status());
    assertThat(plan.actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.WAITING_FOR_VOLUMES);
    Condition volumesReady = condition(vm, VmConditions.VOLUMES_READY);
    assertThat(volumesReady.getStatus()).isEqualTo("False");
    assertThat(volumesReady.getMessage())
        .contains("Volume root is not Ready (no phase)", "Volume iso does not exist");
    assertThat(condition(vm, VmConditions.CLOUD_INIT_READY).getReason())
        .isEqualTo("CloudInitConfigNotFound");
    assertThat(plan.events()).extracting(PlannedEvent::warning).containsExactly(true);
  }

  @Test
  void invalidSpecIsReportedNotStarted() {
    VirtualMachine vm =
        TestVms.vm("bad", TestVms.spec().disk("a", "root").disk("a", "root").build());
    VmPlan plan = step(vm, t0);
    assertThat(plan.actions()).isEmpty();
    assertThat(vm.getStatus().printableStatus()).isEqualTo(PrintableStatus.ERROR_INVALID_SPEC);
    assertThat(condition(vm, VmConditions.READY).getMessage())
        .contains("disk name a is used twice");
  }

  @Test
  void duplicatePodsAreCleanedUpKeepingTheNewest() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod first = created(step(vm, t0));
    Pod second = new io.fabric8.kubernetes.api.model.PodBuilder(first).build();
    second.getMetadata().setName(VmNames.pod(vm, 2));
    second.getMetadata().getAnnotations().put(VmMetadata.RUN_ANNOTATION, "2");
    VmPlan plan = step(vm, t0.plusSeconds(1), first, second);
    assertThat(deleted(plan)).containsExactly(first.getMetadata().getName());
  }

  @Test
  void conditionsKeepTheirTransitionTime() {
    VirtualMachine vm = vm(RunStrategy.ALWAYS);
    Pod pod = PodStates.with(created(step(vm, t0)), PodStates.running(true, t0));
    step(vm, t0.plusSeconds(5), pod);
    String since = condition(vm, VmConditions.READY).getLastTransitionTime();
    step(vm, t0.plusSeconds(500), pod);
    assertThat(condition(vm, VmConditions.READY).getLastTransitionTime()).isEqualTo(since);
  }

  @Test
  void timestampsCompareAsTimesElseAsText() {
    assertThat(VmPlanner.later("2026-11-23T10:00:01Z", "2026-11-23T11:00:00+02:00")).isTrue();
    assertThat(VmPlanner.later("b", "a")).isTrue();
  }

  private static VirtualMachine withStrategy(VirtualMachine vm, RunStrategy strategy) {
    var s = vm.getSpec();
    VirtualMachine copy =
        TestVms.vm(
            vm.getMetadata().getName(),
            new io.fastvm.api.v1alpha1.VirtualMachineSpec(
                strategy,
                s.cpu(),
                s.memory(),
                s.firmware(),
                s.tpm(),
                s.accelerator(),
                s.disks(),
                s.kernelBoot(),
                s.cloudInit(),
                s.networks(),
                s.display(),
                s.usbRedirection(),
                s.terminationGracePeriodSeconds(),
                s.nodeSelector(),
                s.affinity(),
                s.tolerations(),
                s.priorityClassName()));
    copy.setStatus(vm.getStatus());
    return copy;
  }
}
