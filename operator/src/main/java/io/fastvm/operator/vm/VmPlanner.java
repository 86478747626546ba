package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.NetworkType;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.RunStrategy;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.VmInterfaceStatus;
import io.fastvm.api.v1alpha1.VmPhase;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.contract.LauncherInvocation.ExitCode;
import io.fastvm.contract.MacAddresses;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.vm.RunState.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The whole decision about one VM as a pure function: observed state in, {@link VmPlan} out. The
 * reconciler only gathers the {@link Observed} state and carries the plan out.
 */
public final class VmPlanner {
  private VmPlanner() {}

  /**
   * How often a VM looks again at an object of someone else's that holds one of its names: the
   * operator does not watch such objects, so it cannot see them go away.
   */
  static final Duration FOREIGN_OBJECT_RECHECK = Duration.ofSeconds(10);

  /** Ready reasons of stops the operator made on purpose: the pod going away is expected. */
  private static final Set<String> DELIBERATE_STOPS =
      Set.of("Halted", "StopRequested", "Restarting", "Terminating");

  public static VmPlan plan(Observed o, OperatorSettings settings) {
    VirtualMachine vm = o.vm();
    VirtualMachineSpec spec = vm.getSpec();
    VirtualMachineStatus old = vm.getStatus() == null ? emptyStatus() : vm.getStatus();
    Instant now = o.now();
    List<VmAction> actions = new ArrayList<>();
    List<VmEvent> events = new ArrayList<>();

    List<PodView> pods =
        o.pods().stream()
            .map(PodView::new)
            .sorted(
                Comparator.comparingLong(PodView::run)
                    .thenComparing(
                        p -> Objects.toString(p.pod().getMetadata().getCreationTimestamp(), ""))
                    .reversed())
            .toList();
    Optional<PodView> current = pods.stream().filter(p -> !p.terminal()).findFirst();
    Optional<PodView> record = current.isPresent() ? Optional.empty() : pods.stream().findFirst();

    // At most one pod may hold the VM's disks; older leftovers are cleaned up.
    for (PodView pod : pods) {
      if (pod.terminating() || current.map(c -> c == pod).orElse(false)) {
        continue;
      }
      if (record.map(r -> r == pod).orElse(false)) {
        continue;
      }
      if (!pod.terminal()) {
        actions.add(new VmAction.DeletePod(pod.name(), "Duplicate", false));
        events.add(
            VmEvent.warning(
                "DuplicatePod",
                "deleting pod " + pod.name() + ": " + current.get().name() + " runs the VM"));
      } else {
        actions.add(new VmAction.DeletePod(pod.name(), "Superseded", false));
      }
    }

    boolean deleting = vm.getMetadata().getDeletionTimestamp() != null;
    List<String> problems = SpecValidator.problems(spec);
    ResolvedReferences refs = ReferenceResolver.resolve(spec, o.volumes(), o.cloudInit());

    if (!deleting && problems.isEmpty()) {
      serviceActions(vm, o.service(), actions, events);
    }

    RunState state = runState(o, old, current, record, settings);
    RunDecision decision =
        deleting
            ? new RunDecision.WaitForStop(Instant.MAX)
            : RunPolicy.decide(state, now, settings.nodeLostTimeout());

    if (state.lastOutcome() == Outcome.LOST
        && (old.phase() == VmPhase.RUNNING || old.phase() == VmPhase.PENDING)) {
      events.add(VmEvent.warning("PodDeleted", state.lastOutcomeMessage()));
    }

    // Starting is only possible with a valid spec, resolved references and a usable state PVC.
    String blockedReason = null;
    String blockedMessage = null;
    PrintableStatus blockedPrintable = null;
    if (decision instanceof RunDecision.Start) {
      Optional<String> stateProblem = stateClaimProblem(vm, o.statePvc());
      if (!problems.isEmpty()) {
        blockedReason = "InvalidSpec";
        blockedMessage = String.join("; ", problems);
        blockedPrintable = PrintableStatus.ERROR_INVALID_SPEC;
      } else if (!refs.complete()) {
        List<ReferenceProblem> missing = new ArrayList<>(refs.volumeProblems());
        missing.addAll(refs.cloudInitProblems());
        blockedReason = missing.get(0).reason();
        blockedMessage =
            "waiting for "
                + String.join("; ", missing.stream().map(ReferenceProblem::message).toList());
        blockedPrintable = PrintableStatus.WAITING_FOR_VOLUMES;
      } else if (stateProblem.isPresent()) {
        blockedReason = "StateVolumeConflict";
        blockedMessage = stateProblem.get();
        blockedPrintable = PrintableStatus.PROVISIONING;
      }
    }

    StatusDraft draft = new StatusDraft();
    draft.restartedAt = old.restartedAt();
    restartRequest(vm)
        .filter(r -> pods.stream().anyMatch(p -> r.equals(p.restartRequest().orElse(null))))
        .ifPresent(r -> draft.restartedAt = r);
    draft.podName = current.or(() -> record).map(PodView::name).orElse(null);
    draft.failureCount = current.map(PodView::failureCountAtStart).orElse(0);
    Optional<Duration> requeue = Optional.empty();

    if (deleting) {
      draft.set(
          VmPhase.STOPPING,
          PrintableStatus.TERMINATING,
          false,
          "Terminating",
          "the VM is being deleted");
    } else if (blockedReason != null) {
      draft.set(
          blockedPrintable == PrintableStatus.ERROR_INVALID_SPEC ? VmPhase.FAILED : VmPhase.PENDING,
          blockedPrintable,
          false,
          blockedReason,
          blockedMessage);
      draft.podName = record.map(PodView::name).orElse(state.everRan() ? old.podName() : null);
      draft.failureCount = state.lastOutcome() == Outcome.FAILED ? state.failures() : 0;
    } else {
      switch (decision) {
        case RunDecision.Keep keep -> describePod(draft, current.get(), old);
        case RunDecision.WaitForStop wait -> {
          String reason =
              VmConditions.find(old.conditions(), VmConditions.READY)
                  .map(Condition::getReason)
                  .filter(DELIBERATE_STOPS::contains)
                  .orElse("PodDeleted");
          draft.set(
              VmPhase.STOPPING,
              PrintableStatus.STOPPING,
              false,
              reason,
              "pod " + current.get().name() + " is shutting the guest down");
          if (!wait.deadline().equals(Instant.MAX)) {
            requeue = Optional.of(Duration.between(now, wait.deadline()).plusSeconds(1));
          }
        }
        case RunDecision.Stop stop -> {
          actions.add(new VmAction.DeletePod(current.get().name(), stop.reason(), false));
          events.add(
              VmEvent.normal(
                  "Stopping", "stopping pod " + current.get().name() + ": " + stop.message()));
          draft.set(
              VmPhase.STOPPING, PrintableStatus.STOPPING, false, stop.reason(), stop.message());
        }
        case RunDecision.ForceDelete force -> {
          actions.add(new VmAction.DeletePod(current.get().name(), "NodeLost", true));
          events.add(VmEvent.warning("NodeLost", force.message()));
          // The VM did not end by itself: it failed, and the strategy decides about a restart.
          draft.set(VmPhase.FAILED, PrintableStatus.FAILED, false, "NodeLost", force.message());
          draft.nodeName = null;
        }
        case RunDecision.WaitForNode wait -> {
          PodView pod = current.get();
          String message =
              "node "
                  + pod.nodeName().orElse("?")
                  + " stopped reporting pod "
                  + pod.name()
                  + (wait.deadline().equals(Instant.MAX)
                      ? ""
                      : "; it is deleted at " + wait.deadline().truncatedTo(ChronoUnit.SECONDS));
          draft.set(
              old.phase() == null ? VmPhase.RUNNING : old.phase(),
              PrintableStatus.UNKNOWN,
              false,
              "NodeLost",
              message);
          draft.nodeLost = true;
          draft.nodeName = pod.nodeName().orElse(null);
          if (!wait.deadline().equals(Instant.MAX)) {
            requeue = Optional.of(Duration.between(now, wait.deadline()).plusSeconds(1));
          }
        }
        case RunDecision.Start start -> {
          long run =
              Math.max(pods.stream().mapToLong(PodView::run).max().orElse(0), runOf(old.podName()))
                  + 1;
          Optional<String> request =
              start.forRestartRequest() ? restartRequest(vm) : Optional.empty();
          Optional<PersistentVolumeClaim> claim = VmStateClaim.desired(vm, settings);
          if (claim.isPresent() && o.statePvc().isEmpty()) {
            actions.add(new VmAction.CreateStatePvc(claim.get()));
            events.add(
                VmEvent.normal(
                    "StateVolumeCreated",
                    "created PVC " + claim.get().getMetadata().getName() + " for UEFI/TPM state"));
          }
          List<Volume> volumes = refs.volumes().keySet().stream().map(o.volumes()::get).toList();
          var pod =
              VmPod.build(
                  new VmPod.Inputs(
                      vm,
                      refs,
                      volumes,
                      spec.cloudInit() == null ? Optional.empty() : o.cloudInit(),
                      run,
                      start.failureCount(),
                      request,
                      settings));
          actions.add(new VmAction.CreatePod(pod));
          record
              .filter(r -> !r.terminating())
              .ifPresent(r -> actions.add(new VmAction.DeletePod(r.name(), "Superseded", false)));
          events.add(
              VmEvent.normal(
                  "Starting",
                  "created pod "
                      + pod.getMetadata().getName()
                      + (start.failureCount() > 0
                          ? " (restart " + start.failureCount() + " after failures)"
                          : "")));
          // With the pod created, the VM is Starting; Provisioning while its state PVC is new.
          boolean newClaim = actions.stream().anyMatch(VmAction.CreateStatePvc.class::isInstance);
          draft.set(
              VmPhase.PENDING,
              newClaim ? PrintableStatus.PROVISIONING : PrintableStatus.STARTING,
              false,
              newClaim ? "Provisioning" : "PodPending",
              "pod " + pod.getMetadata().getName() + " is pending");
          draft.podName = pod.getMetadata().getName();
          draft.failureCount = start.failureCount();
          request.ifPresent(r -> draft.restartedAt = r);
        }
        case RunDecision.BackOff backOff -> {
          draft.set(
              VmPhase.FAILED,
              PrintableStatus.CRASH_LOOP_BACK_OFF,
              false,
              "CrashLoopBackOff",
              state.lastOutcomeMessage()
                  + "; restarting at "
                  + backOff.retryAt().truncatedTo(ChronoUnit.SECONDS)
                  + " (failure "
                  + backOff.failureCount()
                  + ")");
          draft.podName = record.map(PodView::name).orElse(old.podName());
          draft.failureCount = backOff.failureCount();
          draft.retryAfter = backOff.retryAt().truncatedTo(ChronoUnit.SECONDS).toString();
          requeue = Optional.of(Duration.between(now, backOff.retryAt()).plusMillis(500));
        }
        case RunDecision.StayStopped stopped -> {
          boolean failed =
              "Failed".equals(stopped.reason()) || "InvalidInput".equals(stopped.reason());
          draft.set(
              failed ? VmPhase.FAILED : VmPhase.STOPPED,
              failed ? PrintableStatus.FAILED : PrintableStatus.STOPPED,
              false,
              stopped.reason(),
              stopped.message());
          draft.podName = record.map(PodView::name).orElse(state.everRan() ? old.podName() : null);
          draft.failureCount = failed ? state.failures() : 0;
        }
      }
    }

    List<VmConditions.Wanted> wanted = new ArrayList<>();
    wanted.add(
        new VmConditions.Wanted(
            VmConditions.READY, draft.ready, draft.readyReason, draft.readyMessage));
    if (!ReferenceResolver.referencedVolumes(spec).isEmpty()) {
      wanted.add(
          refs.volumeProblems().isEmpty()
              ? new VmConditions.Wanted(
                  VmConditions.VOLUMES_READY, true, "VolumesReady", "all Volumes are Ready")
              : new VmConditions.Wanted(
                  VmConditions.VOLUMES_READY,
                  false,
                  refs.volumeProblems().get(0).reason(),
                  String.join(
                      "; ",
                      refs.volumeProblems().stream().map(ReferenceProblem::message).toList())));
    }
    if (spec.cloudInit() != null) {
      wanted.add(
          refs.cloudInitProblems().isEmpty()
              ? new VmConditions.Wanted(
                  VmConditions.CLOUD_INIT_READY,
                  true,
                  "CloudInitReady",
                  "CloudInitConfig " + spec.cloudInit().name() + " is Ready")
              : new VmConditions.Wanted(
                  VmConditions.CLOUD_INIT_READY,
                  false,
                  refs.cloudInitProblems().get(0).reason(),
                  refs.cloudInitProblems().get(0).message()));
    }
    restartRequired(spec, current, problems).ifPresent(wanted::add);
    if (draft.nodeLost) {
      // Only while the node is lost: its transition time is when it stopped reporting.
      wanted.add(
          new VmConditions.Wanted(
              VmConditions.NODE_REACHABLE, false, "NodeLost", draft.readyMessage));
    }

    List<Condition> conditions =
        VmConditions.merge(old.conditions(), wanted, now, vm.getMetadata().getGeneration());

    List<VmInterfaceStatus> interfaces = null;
    String ipAddress = null;
    if (current.isPresent() && draft.phase == VmPhase.RUNNING) {
      interfaces = interfaces(vm, current.get());
      ipAddress =
          interfaces.stream()
              .map(VmInterfaceStatus::ipAddress)
              .filter(Objects::nonNull)
              .findFirst()
              .orElse(null);
    }
    Integer vcpus = current.flatMap(PodView::vcpus).orElse(spec.effectiveCpu().vcpus());

    VirtualMachineStatus status =
        new VirtualMachineStatus(
            draft.phase,
            draft.printable,
            conditions,
            draft.nodeName,
            draft.podName,
            interfaces,
            ipAddress,
            vcpus,
            draft.failureCount > 0 ? draft.failureCount : null,
            draft.retryAfter,
            draft.restartedAt,
            vm.getMetadata().getGeneration());

    events.addAll(transitionEvents(old, status, conditions));
    boolean foreignObject =
        o.statePvc().map(c -> !VmMetadata.controlledBy(c, vm)).orElse(false)
            || o.service().map(svc -> !VmMetadata.controlledBy(svc, vm)).orElse(false);
    if (foreignObject && !deleting) {
      requeue =
          Optional.of(
              requeue
                  .filter(d -> d.compareTo(FOREIGN_OBJECT_RECHECK) < 0)
                  .orElse(FOREIGN_OBJECT_RECHECK));
    }
    return new VmPlan(actions, status, events, requeue);
  }

  /** Status fields being worked out. */
  private static final class StatusDraft {
    VmPhase phase;
    PrintableStatus printable;
    boolean ready;
    String readyReason;
    String readyMessage;
    String nodeName;
    String podName;
    int failureCount;
    String retryAfter;
    String restartedAt;
    boolean nodeLost;

    void set(
        VmPhase phase, PrintableStatus printable, boolean ready, String reason, String message) {
      this.phase = phase;
      this.printable = printable;
      this.ready = ready;
      this.readyReason = reason;
      this.readyMessage = message;
    }
  }

  /** Status of a VM whose pod runs (or is about to). */
  private static void describePod(StatusDraft d, PodView pod, VirtualMachineStatus old) {
    d.nodeName = pod.nodeName().orElse(null);
    if (pod.unschedulable()) {
      d.set(
          VmPhase.PENDING,
          PrintableStatus.ERROR_UNSCHEDULABLE,
          false,
          "Unschedulable",
          pod.schedulingMessage().isEmpty()
              ? "no node can run pod " + pod.name()
              : pod.schedulingMessage());
    } else if (pod.ready()) {
      d.set(
          VmPhase.RUNNING,
          PrintableStatus.RUNNING,
          true,
          "Running",
          "running in pod " + pod.name() + " on node " + pod.nodeName().orElse("?"));
    } else if (pod.running() && old.phase() == VmPhase.RUNNING) {
      // It was ready: QEMU still runs but stopped answering (a hung QMP, a node under pressure).
      d.set(
          VmPhase.RUNNING,
          PrintableStatus.RUNNING,
          false,
          "NotReady",
          "pod "
              + pod.name()
              + " runs, but its readiness probe fails: QEMU does not answer on its QMP socket");
    } else if (pod.running()) {
      d.set(
          VmPhase.PENDING,
          PrintableStatus.STARTING,
          false,
          "Starting",
          "the launcher is starting QEMU in pod " + pod.name());
    } else {
      d.set(
          VmPhase.PENDING,
          PrintableStatus.STARTING,
          false,
          pod.waitingReason().isPresent() ? "PodWaiting" : "PodPending",
          pod.waitingReason()
              .map(w -> "pod " + pod.name() + ": " + w)
              .orElse("pod " + pod.name() + " is pending"));
    }
  }

  private static RunState runState(
      Observed o,
      VirtualMachineStatus old,
      Optional<PodView> current,
      Optional<PodView> record,
      OperatorSettings settings) {
    VirtualMachine vm = o.vm();
    RunStrategy strategy = vm.getSpec().effectiveRunStrategy();
    Optional<String> restart = restartRequest(vm);
    Optional<String> stop =
        VmMetadata.annotation(vm, VmMetadata.STOP_ANNOTATION).filter(v -> !v.isBlank());
    boolean ackedByPod =
        restart.isPresent()
            && o.pods().stream()
                .map(PodView::new)
                .anyMatch(p -> restart.get().equals(p.restartRequest().orElse(null)));
    boolean restartPending =
        restart.isPresent() && !restart.get().equals(old.restartedAt()) && !ackedByPod;
    boolean startWins = restart.isPresent() && (stop.isEmpty() || later(restart.get(), stop.get()));
    boolean stopWins = stop.isPresent() && (restart.isEmpty() || !later(restart.get(), stop.get()));

    Optional<Condition> oldReady = VmConditions.find(old.conditions(), VmConditions.READY);
    String oldReason = oldReady.map(Condition::getReason).orElse("");
    String oldMessage = oldReady.map(Condition::getMessage).orElse("");

    Outcome outcome;
    String message;
    boolean everRan;
    int failures = 0;
    Optional<Instant> retryAt = Optional.empty();
    if (current.isPresent()) {
      outcome = Outcome.NONE;
      message = "";
      everRan = true;
    } else if (record.isPresent()) {
      PodView pod = record.get();
      everRan = true;
      message = "pod " + pod.name() + ": " + pod.outcomeMessage();
      if (pod.succeeded() && pod.terminating() && !DELIBERATE_STOPS.contains(oldReason)) {
        // Deleted by someone else (a drain, an eviction, kubectl delete pod): the launcher powered
        // the guest down cleanly, but the guest did not choose to stop.
        outcome = Outcome.LOST;
        message = "pod " + pod.name() + " was deleted; the guest was shut down";
      } else if (pod.succeeded()) {
        outcome = Outcome.POWERED_OFF;
        message = "the guest powered off (pod " + pod.name() + ")";
      } else {
        boolean sameSpec = pod.specHash().equals(Optional.of(SpecHash.of(vm.getSpec())));
        outcome =
            pod.exitCode().equals(Optional.of(ExitCode.INVALID)) && sameSpec
                ? Outcome.REFUSED
                : Outcome.FAILED;
        boolean ranLong =
            pod.ranFor().map(d -> d.compareTo(settings.backoffResetAfter()) >= 0).orElse(false);
        failures = ranLong ? 1 : pod.failureCountAtStart() + 1;
        if (pod.name().equals(old.podName()) && old.retryAfter() != null) {
          retryAt = PodView.instant(old.retryAfter());
        }
        if (retryAt.isEmpty()) {
          Instant end = pod.finishedAt().orElse(o.now());
          retryAt = Optional.of(end.plus(backoff(failures, settings)));
        }
      }
    } else if (old.podName() == null) {
      outcome = Outcome.NONE;
      message = "";
      everRan = false;
    } else if (old.phase() == VmPhase.FAILED) {
      outcome = Outcome.FAILED;
      message = oldMessage;
      everRan = true;
      failures = old.failureCount() == null ? 0 : old.failureCount();
      retryAt = Optional.ofNullable(old.retryAfter()).flatMap(PodView::instant);
    } else if (old.phase() == VmPhase.STOPPED) {
      everRan = true;
      message = oldMessage;
      outcome =
          switch (oldReason) {
            case "PoweredOff" -> Outcome.POWERED_OFF;
            case "PodDeleted" -> Outcome.LOST;
            default -> Outcome.STOPPED;
          };
    } else if (DELIBERATE_STOPS.contains(oldReason)) {
      outcome = Outcome.STOPPED;
      message = "stopped";
      everRan = false;
    } else {
      outcome = Outcome.LOST;
      message = "pod " + old.podName() + " was deleted";
      everRan = true;
    }

    Optional<Instant> unknownSince =
        VmConditions.find(old.conditions(), VmConditions.NODE_REACHABLE)
            .filter(c -> "False".equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .flatMap(PodView::instant);
    return new RunState(
        strategy,
        current,
        outcome,
        message,
        everRan,
        restartPending,
        startWins,
        stopWins,
        failures,
        retryAt,
        unknownSince);
  }

  /** Exponential back-off: initial × 2^(failures-1), at most max. */
  static Duration backoff(int failures, OperatorSettings settings) {
    Duration delay = settings.backoffInitial();
    for (int i = 1; i < failures && delay.compareTo(settings.backoffMax()) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(settings.backoffMax()) > 0 ? settings.backoffMax() : delay;
  }

  private static Optional<String> restartRequest(VirtualMachine vm) {
    return VmMetadata.annotation(vm, VirtualMachine.RESTART_ANNOTATION).filter(v -> !v.isBlank());
  }

  /** Whether request value {@code a} is later than {@code b}: as timestamps, else as text. */
  static boolean later(String a, String b) {
    try {
      return OffsetDateTime.parse(a.trim()).isAfter(OffsetDateTime.parse(b.trim()));
    } catch (DateTimeParseException e) {
      return a.compareTo(b) > 0;
    }
  }

  private static long runOf(String podName) {
    if (podName == null) {
      return 0;
    }
    int dash = podName.lastIndexOf('-');
    try {
      return Long.parseLong(podName.substring(dash + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Optional<String> stateClaimProblem(
      VirtualMachine vm, Optional<PersistentVolumeClaim> claim) {
    if (!VmStateClaim.needed(vm.getSpec()) || claim.isEmpty()) {
      return Optional.empty();
    }
    PersistentVolumeClaim pvc = claim.get();
    if (!VmMetadata.controlledBy(pvc, vm)) {
      return Optional.of(
          "PVC "
              + pvc.getMetadata().getName()
              + " exists but does not belong to this VM; delete or rename it");
    }
    if (pvc.getMetadata().getDeletionTimestamp() != null) {
      return Optional.of("state PVC " + pvc.getMetadata().getName() + " is being deleted");
    }
    return Optional.empty();
  }

  private static void serviceActions(
      VirtualMachine vm, Optional<Service> observed, List<VmAction> actions, List<VmEvent> events) {
    Optional<Service> desired = VmService.desired(vm);
    boolean ours = observed.map(s -> VmMetadata.controlledBy(s, vm)).orElse(false);
    if (desired.isPresent()) {
      if (observed.isEmpty()) {
        actions.add(new VmAction.CreateService(desired.get()));
        events.add(
            VmEvent.normal(
                "ServiceCreated",
                "created Service "
                    + desired.get().getMetadata().getName()
                    + " for forwarded ports"));
      } else if (!ours) {
        events.add(
            VmEvent.warning(
                "ServiceConflict",
                "Service "
                    + desired.get().getMetadata().getName()
                    + " exists but does not belong to this VM; forwarded ports are not exposed"));
      } else if (!VmService.upToDate(observed.get(), desired.get())) {
        actions.add(new VmAction.UpdateService(desired.get()));
      }
    } else if (ours) {
      actions.add(new VmAction.DeleteService(observed.get().getMetadata().getName()));
    }
  }

  private static Optional<VmConditions.Wanted> restartRequired(
      VirtualMachineSpec spec, Optional<PodView> current, List<String> problems) {
    if (current.isEmpty() || current.get().terminating()) {
      return Optional.empty();
    }
    PodView pod = current.get();
    String hash = SpecHash.of(spec);
    if (pod.specHash().map(hash::equals).orElse(true)) {
      return Optional.empty();
    }
    List<String> changed =
        VmMetadata.annotation(pod.pod(), VmMetadata.MANIFEST_ANNOTATION)
            .flatMap(VmManifest::vmSpec)
            .map(before -> SpecHash.changedFields(before, spec))
            .orElse(List.of());
    String message =
        (changed.isEmpty() ? "the spec changed" : "changed: " + String.join(", ", changed))
            + "; the next restart applies it (annotation "
            + VirtualMachine.RESTART_ANNOTATION
            + ")"
            + (problems.isEmpty()
                ? ""
                : "; but the new spec is invalid: " + String.join("; ", problems));
    return Optional.of(
        new VmConditions.Wanted(VmConditions.RESTART_REQUIRED, true, "SpecChanged", message));
  }

  /** NICs with what the pod knows: nat NICs have the pod's IP until the guest agent says more. */
  private static List<VmInterfaceStatus> interfaces(VirtualMachine vm, PodView pod) {
    List<VmInterfaceStatus> result = new ArrayList<>();
    for (Network network : vm.getSpec().networksOrEmpty()) {
      String mac = macOf(vm, network);
      if (network.effectiveType() == NetworkType.NAT && pod.podIp().isPresent()) {
        result.add(
            new VmInterfaceStatus(network.name(), mac, pod.podIp().get(), pod.podIps(), "pod"));
      } else {
        result.add(new VmInterfaceStatus(network.name(), mac, null, null, null));
      }
    }
    return result;
  }

  /** The NIC's MAC: the spec's, else the launcher's stable one from namespace, VM and NIC name. */
  static String macOf(VirtualMachine vm, Network network) {
    return MacAddresses.normalize(network.macAddress())
        .orElseGet(
            () ->
                MacAddresses.stable(
                    vm.getMetadata().getNamespace(), vm.getMetadata().getName(), network.name()));
  }

  /** Events for changes a human wants to hear about: status and RestartRequired transitions. */
  private static List<VmEvent> transitionEvents(
      VirtualMachineStatus old, VirtualMachineStatus now, List<Condition> conditions) {
    List<VmEvent> events = new ArrayList<>();
    Optional<Condition> ready = VmConditions.find(conditions, VmConditions.READY);
    Optional<Condition> oldReady = VmConditions.find(old.conditions(), VmConditions.READY);
    String message = ready.map(Condition::getMessage).orElse("");
    boolean changed =
        now.printableStatus() != old.printableStatus()
            || !Objects.equals(message, oldReady.map(Condition::getMessage).orElse(""));
    String reasonNow = ready.map(Condition::getReason).orElse("");
    // Provisioning and a plain pending pod are covered by the "Starting" event of the create.
    boolean routine =
        now.printableStatus() == PrintableStatus.PROVISIONING
            || (now.printableStatus() == PrintableStatus.STARTING
                && !"PodWaiting".equals(reasonNow));
    if (changed && !routine) {
      PrintableStatus p = now.printableStatus();
      boolean warning =
          switch (p) {
            case FAILED,
                CRASH_LOOP_BACK_OFF,
                ERROR_UNSCHEDULABLE,
                ERROR_INVALID_SPEC,
                UNKNOWN,
                WAITING_FOR_VOLUMES ->
                true;
            default -> false;
          };
      String reason = ready.map(Condition::getReason).orElse(p.name());
      events.add(new VmEvent(warning, reason, message));
    }
    boolean restartRequired =
        VmConditions.find(conditions, VmConditions.RESTART_REQUIRED).isPresent();
    boolean wasRequired =
        VmConditions.find(old.conditions(), VmConditions.RESTART_REQUIRED).isPresent();
    if (restartRequired && !wasRequired) {
      events.add(
          VmEvent.normal(
              "RestartRequired",
              VmConditions.find(conditions, VmConditions.RESTART_REQUIRED)
                  .map(Condition::getMessage)
                  .orElse("")));
    }
    return events;
  }

  private static VirtualMachineStatus emptyStatus() {
    return new VirtualMachineStatus(
        null, null, List.of(), null, null, null, null, null, null, null, null, null);
  }
}
