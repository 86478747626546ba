package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fastvm.api.v1alpha1.GuestStatus;
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
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.status.PlannedEvent;
import io.fastvm.operator.vm.RunState.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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

  /**
   * The steps run in the order the reconciler carries their actions out: leftover pods go first,
   * and a new state PVC is created before the pod that mounts it.
   */
  public static VmPlan plan(Observed o, OperatorSettings settings) {
    Situation s = situation(o, settings);
    List<VmAction> actions = new ArrayList<>();
    List<PlannedEvent> events = new ArrayList<>();

    deleteLeftoverPods(s.pods(), actions, events);
    if (!s.deleting() && s.problems().isEmpty()) {
      serviceActions(s.vm(), o.service(), actions, events);
      // Before the pod that mounts it; a running pod keeps its seed until it restarts.
      s.seedToWrite().ifPresent(seed -> actions.add(new VmAction.WriteSeed(seed)));
    }
    lostPodEvent(s).ifPresent(events::add);

    Optional<StartBlocker> blocker = startBlocker(s);
    Optional<Launch> launch = blocker.isPresent() ? Optional.empty() : launch(s);
    launch.ifPresent(l -> stateClaimActions(l, actions, events));
    podActions(s, launch, actions, events);

    StatusDraft draft = statusDraft(s, blocker, launch);
    List<Condition> conditions = conditions(s, draft);
    VirtualMachineStatus status = status(s, draft, conditions);
    events.addAll(transitionEvents(s.old(), status, conditions));
    return new VmPlan(actions, status, events, requeue(s));
  }

  /**
   * What the plan is made from: the observation, with the VM's pods sorted out, its spec checked,
   * its references resolved and the run strategy's decision.
   *
   * @param observed what the reconciler saw
   * @param settings the operator's settings
   * @param old the VM's last status (an empty one before the first)
   * @param pods the VM's pods
   * @param deleting whether the VM is being deleted
   * @param problems what is wrong with the spec
   * @param refs what the VM's references resolve to
   * @param seedToWrite the VM's seed Secret, when it must be created or updated
   * @param state the facts the run strategy decides on
   * @param decision what the run strategy says; wait for the pod to go while the VM is deleted
   */
  private record Situation(
      Observed observed,
      OperatorSettings settings,
      VirtualMachineStatus old,
      Pods pods,
      boolean deleting,
      List<String> problems,
      ResolvedReferences refs,
      Optional<Secret> seedToWrite,
      RunState state,
      RunDecision decision) {

    VirtualMachine vm() {
      return observed.vm();
    }

    VirtualMachineSpec spec() {
      return observed.vm().getSpec();
    }

    Instant now() {
      return observed.now();
    }
  }

  /**
   * The VM's pods, latest run first.
   *
   * @param all every pod of the VM
   * @param current the pod that holds the VM (not terminal), if any
   * @param record with no current pod, the latest that ended: the record of the last run
   */
  private record Pods(List<PodView> all, Optional<PodView> current, Optional<PodView> record) {}

  /** Reads the observation once: pods, spec problems, references, run state and decision. */
  private static Situation situation(Observed o, OperatorSettings settings) {
    VirtualMachine vm = o.vm();
    VirtualMachineSpec spec = vm.getSpec();
    VirtualMachineStatus old = vm.getStatus() == null ? emptyStatus() : vm.getStatus();
    Pods pods = pods(o);
    boolean deleting = vm.getMetadata().getDeletionTimestamp() != null;
    List<String> problems = SpecValidator.problems(spec);
    ResolvedReferences refs = ReferenceResolver.resolve(spec, o.volumes(), o.cloudInit());
    Optional<Secret> seed = Optional.empty();
    if (spec.cloudInit() != null && refs.cloudInitProblems().isEmpty()) {
      VmSeed.Decision decision =
          VmSeed.decide(vm, o.cloudInit().orElseThrow(), o.cloudInitUserData(), o.seed());
      refs = refs.withSeed(decision);
      seed = decision.write();
    }
    RunState state = runState(o, old, pods, settings);
    RunDecision decision =
        deleting
            ? new RunDecision.WaitForStop(Instant.MAX)
            : RunPolicy.decide(state, o.now(), settings.nodeLostTimeout());
    return new Situation(o, settings, old, pods, deleting, problems, refs, seed, state, decision);
  }

  private static Pods pods(Observed o) {
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
    return new Pods(pods, current, record);
  }

  private static void deleteLeftoverPods(
      Pods pods, List<VmAction> actions, List<PlannedEvent> events) {
    // At most one pod may hold the VM's disks; older leftovers are cleaned up.
    for (PodView pod : pods.all()) {
      if (pod.terminating() || pods.current().map(c -> c == pod).orElse(false)) {
        continue;
      }
      if (pods.record().map(r -> r == pod).orElse(false)) {
        continue;
      }
      if (!pod.terminal()) {
        actions.add(new VmAction.DeletePod(pod.name(), "Duplicate", false));
        events.add(
            PlannedEvent.warning(
                "DuplicatePod",
                "deleting pod "
                    + pod.name()
                    + ": "
                    + pods.current().get().name()
                    + " runs the VM"));
      } else {
        actions.add(new VmAction.DeletePod(pod.name(), "Superseded", false));
      }
    }
  }

  /** A warning when the pod of a running or starting VM disappeared without the operator. */
  private static Optional<PlannedEvent> lostPodEvent(Situation s) {
    VmPhase phase = s.old().phase();
    if (s.state().lastOutcome() == Outcome.LOST
        && (phase == VmPhase.RUNNING || phase == VmPhase.PENDING)) {
      return Optional.of(PlannedEvent.warning("PodDeleted", s.state().lastOutcomeMessage()));
    }
    return Optional.empty();
  }

  /** Why a Start cannot happen yet, as the Ready condition and printable status say it. */
  private record StartBlocker(String reason, String message, PrintableStatus printable) {}

  private static Optional<StartBlocker> startBlocker(Situation s) {
    // Starting is only possible with a valid spec, resolved references and a usable state PVC.
    if (!(s.decision() instanceof RunDecision.Start)) {
      return Optional.empty();
    }
    Optional<String> stateProblem = stateClaimProblem(s.vm(), s.observed().statePvc());
    ResolvedReferences refs = s.refs();
    if (!s.problems().isEmpty()) {
      return Optional.of(
          new StartBlocker(
              "InvalidSpec", String.join("; ", s.problems()), PrintableStatus.ERROR_INVALID_SPEC));
    } else if (!refs.complete()) {
      List<ReferenceProblem> missing = new ArrayList<>(refs.volumeProblems());
      missing.addAll(refs.cloudInitProblems());
      return Optional.of(
          new StartBlocker(
              missing.get(0).reason(),
              "waiting for "
                  + String.join("; ", missing.stream().map(ReferenceProblem::message).toList()),
              PrintableStatus.WAITING_FOR_VOLUMES));
    } else if (stateProblem.isPresent()) {
      return Optional.of(
          new StartBlocker(
              "StateVolumeConflict", stateProblem.get(), PrintableStatus.PROVISIONING));
    }
    return Optional.empty();
  }

  /**
   * What a Start creates.
   *
   * @param start the decision
   * @param pod the pod to create
   * @param newClaim the state PVC to create first, when the VM needs one and there is none
   * @param restartRequest the restart request value the pod answers, if any
   */
  private record Launch(
      RunDecision.Start start,
      Pod pod,
      Optional<PersistentVolumeClaim> newClaim,
      Optional<String> restartRequest) {}

  /** The pod to create and its state PVC, when the decision is to start (and nothing blocks it). */
  private static Optional<Launch> launch(Situation s) {
    if (!(s.decision() instanceof RunDecision.Start start)) {
      return Optional.empty();
    }
    Observed o = s.observed();
    VirtualMachine vm = s.vm();
    long run =
        Math.max(
                s.pods().all().stream().mapToLong(PodView::run).max().orElse(0),
                runOf(s.old().podName()))
            + 1;
    Optional<String> request = start.forRestartRequest() ? restartRequest(vm) : Optional.empty();
    Optional<PersistentVolumeClaim> newClaim =
        VmStateClaim.desired(vm, s.settings()).filter(claim -> o.statePvc().isEmpty());
    List<Volume> volumes = s.refs().volumes().keySet().stream().map(o.volumes()::get).toList();
    Pod pod =
        VmPod.build(
            new VmPod.Inputs(
                vm,
                s.refs(),
                volumes,
                s.spec().cloudInit() == null ? Optional.empty() : o.cloudInit(),
                run,
                start.failureCount(),
                request,
                s.settings()));
    return Optional.of(new Launch(start, pod, newClaim, request));
  }

  private static void stateClaimActions(
      Launch launch, List<VmAction> actions, List<PlannedEvent> events) {
    launch
        .newClaim()
        .ifPresent(
            claim -> {
              actions.add(new VmAction.CreateStatePvc(claim));
              events.add(
                  PlannedEvent.normal(
                      "StateVolumeCreated",
                      "created PVC " + claim.getMetadata().getName() + " for UEFI/TPM state"));
            });
  }

  /** Deletes a pod to stop it, force-deletes one on a lost node, or creates one to start. */
  private static void podActions(
      Situation s, Optional<Launch> launch, List<VmAction> actions, List<PlannedEvent> events) {
    switch (s.decision()) {
      case RunDecision.Stop stop -> {
        String pod = s.pods().current().get().name();
        actions.add(new VmAction.DeletePod(pod, stop.reason(), false));
        events.add(PlannedEvent.normal("Stopping", "stopping pod " + pod + ": " + stop.message()));
      }
      case RunDecision.ForceDelete force -> {
        actions.add(new VmAction.DeletePod(s.pods().current().get().name(), "NodeLost", true));
        events.add(PlannedEvent.warning("NodeLost", force.message()));
      }
      case RunDecision.Start start when launch.isPresent() -> {
        Pod pod = launch.get().pod();
        actions.add(new VmAction.CreatePod(pod));
        s.pods()
            .record()
            .filter(r -> !r.terminating())
            .ifPresent(r -> actions.add(new VmAction.DeletePod(r.name(), "Superseded", false)));
        events.add(
            PlannedEvent.normal(
                "Starting",
                "created pod "
                    + pod.getMetadata().getName()
                    + (start.failureCount() > 0
                        ? " (restart " + start.failureCount() + " after failures)"
                        : "")));
      }
      default -> {}
    }
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

  /** The status fields and Ready condition: for a deleted VM, a blocked start, or the decision. */
  private static StatusDraft statusDraft(
      Situation s, Optional<StartBlocker> blocker, Optional<Launch> launch) {
    Pods pods = s.pods();
    StatusDraft draft = new StatusDraft();
    draft.restartedAt = s.old().restartedAt();
    restartRequest(s.vm())
        .filter(r -> pods.all().stream().anyMatch(p -> r.equals(p.restartRequest().orElse(null))))
        .ifPresent(r -> draft.restartedAt = r);
    draft.podName = pods.current().or(pods::record).map(PodView::name).orElse(null);
    draft.failureCount = pods.current().map(PodView::failureCountAtStart).orElse(0);

    if (s.deleting()) {
      draft.set(
          VmPhase.STOPPING,
          PrintableStatus.TERMINATING,
          false,
          "Terminating",
          "the VM is being deleted");
    } else if (blocker.isPresent()) {
      describeBlocked(draft, s, blocker.get());
    } else {
      switch (s.decision()) {
        case RunDecision.Keep keep -> describePod(draft, pods.current().get(), s.old());
        case RunDecision.WaitForStop wait -> describeWaitForStop(draft, s);
        case RunDecision.Stop stop ->
            draft.set(
                VmPhase.STOPPING, PrintableStatus.STOPPING, false, stop.reason(), stop.message());
        case RunDecision.ForceDelete force -> {
          // The VM did not end by itself: it failed, and the strategy decides about a restart.
          draft.set(VmPhase.FAILED, PrintableStatus.FAILED, false, "NodeLost", force.message());
          draft.nodeName = null;
        }
        case RunDecision.WaitForNode wait -> describeWaitForNode(draft, s, wait);
        case RunDecision.Start start -> describeStart(draft, launch.get());
        case RunDecision.BackOff backOff -> describeBackOff(draft, s, backOff);
        case RunDecision.StayStopped stopped -> describeStayStopped(draft, s, stopped);
      }
    }
    return draft;
  }

  private static void describeBlocked(StatusDraft d, Situation s, StartBlocker blocker) {
    d.set(
        blocker.printable() == PrintableStatus.ERROR_INVALID_SPEC
            ? VmPhase.FAILED
            : VmPhase.PENDING,
        blocker.printable(),
        false,
        blocker.reason(),
        blocker.message());
    d.podName =
        s.pods().record().map(PodView::name).orElse(s.state().everRan() ? s.old().podName() : null);
    d.failureCount = s.state().lastOutcome() == Outcome.FAILED ? s.state().failures() : 0;
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

  private static void describeWaitForStop(StatusDraft d, Situation s) {
    String reason =
        Conditions.find(s.old().conditions(), VmConditions.READY)
            .map(Condition::getReason)
            .filter(DELIBERATE_STOPS::contains)
            .orElse("PodDeleted");
    d.set(
        VmPhase.STOPPING,
        PrintableStatus.STOPPING,
        false,
        reason,
        "pod " + s.pods().current().get().name() + " is shutting the guest down");
  }

  private static void describeWaitForNode(
      StatusDraft d, Situation s, RunDecision.WaitForNode wait) {
    PodView pod = s.pods().current().get();
    String message =
        "node "
            + pod.nodeName().orElse("?")
            + " stopped reporting pod "
            + pod.name()
            + (wait.deadline().equals(Instant.MAX)
                ? ""
                : "; it is deleted at " + wait.deadline().truncatedTo(ChronoUnit.SECONDS));
    d.set(
        s.old().phase() == null ? VmPhase.RUNNING : s.old().phase(),
        PrintableStatus.UNKNOWN,
        false,
        "NodeLost",
        message);
    d.nodeLost = true;
    d.nodeName = pod.nodeName().orElse(null);
  }

  private static void describeStart(StatusDraft d, Launch launch) {
    String pod = launch.pod().getMetadata().getName();
    // With the pod created, the VM is Starting; Provisioning while its state PVC is new.
    boolean newClaim = launch.newClaim().isPresent();
    d.set(
        VmPhase.PENDING,
        newClaim ? PrintableStatus.PROVISIONING : PrintableStatus.STARTING,
        false,
        newClaim ? "Provisioning" : "PodPending",
        "pod " + pod + " is pending");
    d.podName = pod;
    d.failureCount = launch.start().failureCount();
    launch.restartRequest().ifPresent(r -> d.restartedAt = r);
  }

  private static void describeBackOff(StatusDraft d, Situation s, RunDecision.BackOff backOff) {
    d.set(
        VmPhase.FAILED,
        PrintableStatus.CRASH_LOOP_BACK_OFF,
        false,
        "CrashLoopBackOff",
        s.state().lastOutcomeMessage()
            + "; restarting at "
            + backOff.retryAt().truncatedTo(ChronoUnit.SECONDS)
            + " (failure "
            + backOff.failureCount()
            + ")");
    d.podName = s.pods().record().map(PodView::name).orElse(s.old().podName());
    d.failureCount = backOff.failureCount();
    d.retryAfter = backOff.retryAt().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static void describeStayStopped(
      StatusDraft d, Situation s, RunDecision.StayStopped stopped) {
    boolean failed = "Failed".equals(stopped.reason()) || "InvalidInput".equals(stopped.reason());
    d.set(
        failed ? VmPhase.FAILED : VmPhase.STOPPED,
        failed ? PrintableStatus.FAILED : PrintableStatus.STOPPED,
        false,
        stopped.reason(),
        stopped.message());
    d.podName =
        s.pods().record().map(PodView::name).orElse(s.state().everRan() ? s.old().podName() : null);
    d.failureCount = failed ? s.state().failures() : 0;
  }

  private static List<Condition> conditions(Situation s, StatusDraft draft) {
    VirtualMachineSpec spec = s.spec();
    List<Conditions.Wanted> wanted = new ArrayList<>();
    wanted.add(
        new Conditions.Wanted(
            VmConditions.READY, draft.ready, draft.readyReason, draft.readyMessage));
    wanted.addAll(referenceConditions(spec, s.refs()));
    restartRequired(spec, s.refs(), s.observed().volumes(), s.pods().current(), s.problems())
        .ifPresent(wanted::add);
    Optional<VmNodeAgent> agent = nodeAgent(s);
    agent.map(VmNodeAgent::condition).ifPresent(wanted::add);
    VmGuestView.agentConnected(runningGuest(s, draft))
        .map(
            connected ->
                agent
                    .filter(a -> !a.reporting())
                    .map(VmNodeAgent::guestAgentUnknown)
                    .orElse(connected))
        .ifPresent(wanted::add);
    if (draft.nodeLost) {
      // Only while the node is lost: its transition time is when it stopped reporting.
      wanted.add(
          new Conditions.Wanted(
              VmConditions.NODE_REACHABLE, false, "NodeLost", draft.readyMessage));
    }
    return Conditions.merge(
        s.old().conditions(), wanted, s.now(), s.vm().getMetadata().getGeneration());
  }

  /** VolumesReady and CloudInitReady, for a VM that references Volumes or a CloudInitConfig. */
  private static List<Conditions.Wanted> referenceConditions(
      VirtualMachineSpec spec, ResolvedReferences refs) {
    List<Conditions.Wanted> wanted = new ArrayList<>();
    if (!ReferenceResolver.referencedVolumes(spec).isEmpty()) {
      wanted.add(
          refs.volumeProblems().isEmpty()
              ? new Conditions.Wanted(
                  VmConditions.VOLUMES_READY, true, "VolumesReady", "all Volumes are Ready")
              : new Conditions.Wanted(
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
              ? new Conditions.Wanted(
                  VmConditions.CLOUD_INIT_READY,
                  true,
                  "CloudInitReady",
                  "CloudInitConfig " + spec.cloudInit().name() + " is Ready")
              : new Conditions.Wanted(
                  VmConditions.CLOUD_INIT_READY,
                  false,
                  refs.cloudInitProblems().get(0).reason(),
                  refs.cloudInitProblems().get(0).message()));
    }
    return wanted;
  }

  private static VirtualMachineStatus status(
      Situation s, StatusDraft draft, List<Condition> conditions) {
    Optional<PodView> current = s.pods().current();
    List<VmInterfaceStatus> interfaces = null;
    String ipAddress = null;
    GuestStatus guest = runningGuest(s, draft);
    if (current.isPresent() && draft.phase == VmPhase.RUNNING) {
      interfaces =
          interfaces(s.vm(), current.get()).stream()
              .map(nic -> VmGuestView.withGuest(nic, guest))
              .toList();
      ipAddress =
          interfaces.stream()
              .map(VmInterfaceStatus::ipAddress)
              .filter(Objects::nonNull)
              .findFirst()
              .orElse(null);
    }
    Integer vcpus = current.flatMap(PodView::vcpus).orElse(s.spec().effectiveCpu().vcpus());
    return new VirtualMachineStatus(
        draft.phase,
        draft.printable,
        conditions,
        draft.nodeName,
        draft.podName,
        interfaces,
        ipAddress,
        guest,
        vcpus,
        draft.failureCount > 0 ? draft.failureCount : null,
        draft.retryAfter,
        draft.restartedAt,
        s.vm().getMetadata().getGeneration());
  }

  /** The node agent of the current pod's node, once the pod has one. */
  private static Optional<VmNodeAgent> nodeAgent(Situation s) {
    return VmNodeAgent.of(
        s.pods().current().flatMap(PodView::nodeName), s.observed().nodeAgents(), s.now());
  }

  /** The node agent's guest facts while the VM runs in the pod they describe; else null. */
  private static GuestStatus runningGuest(Situation s, StatusDraft draft) {
    boolean running = draft.phase == VmPhase.RUNNING && s.pods().current().isPresent();
    return running ? guest(s.vm().getStatus(), draft.podName) : null;
  }

  /**
   * The node agent's guest facts, kept while they describe the VM's current pod: they are the node
   * agent's to write, and they go with the pod.
   */
  static GuestStatus guest(VirtualMachineStatus observed, String podName) {
    GuestStatus guest = observed == null ? null : observed.guest();
    return guest != null && podName != null && podName.equals(guest.podName()) ? guest : null;
  }

  /**
   * When to look again if nothing else happens: at the deadline or retry time the decision waits
   * for, and soon while an object of someone else's holds one of the VM's names.
   */
  private static Optional<Duration> requeue(Situation s) {
    Instant now = s.now();
    Optional<Duration> requeue =
        switch (s.decision()) {
          case RunDecision.WaitForStop wait -> untilDeadline(now, wait.deadline());
          case RunDecision.WaitForNode wait -> untilDeadline(now, wait.deadline());
          case RunDecision.BackOff backOff ->
              Optional.of(Duration.between(now, backOff.retryAt()).plusMillis(500));
          default -> Optional.empty();
        };
    // A fresh heartbeat's renewals are not events: look again when it would go stale.
    Optional<Duration> untilStale =
        nodeAgent(s).flatMap(VmNodeAgent::staleAt).flatMap(at -> untilDeadline(now, at));
    if (untilStale.isPresent()
        && (requeue.isEmpty() || untilStale.get().compareTo(requeue.get()) < 0)) {
      requeue = untilStale;
    }
    Observed o = s.observed();
    VirtualMachine vm = s.vm();
    boolean foreignObject =
        o.statePvc().map(c -> !VmMetadata.controlledBy(c, vm)).orElse(false)
            || o.service().map(svc -> !VmMetadata.controlledBy(svc, vm)).orElse(false);
    if (foreignObject && !s.deleting()) {
      requeue =
          Optional.of(
              requeue
                  .filter(d -> d.compareTo(FOREIGN_OBJECT_RECHECK) < 0)
                  .orElse(FOREIGN_OBJECT_RECHECK));
    }
    return requeue;
  }

  private static Optional<Duration> untilDeadline(Instant now, Instant deadline) {
    return deadline.equals(Instant.MAX)
        ? Optional.empty()
        : Optional.of(Duration.between(now, deadline).plusSeconds(1));
  }

  private static RunState runState(
      Observed o, VirtualMachineStatus old, Pods pods, OperatorSettings settings) {
    VirtualMachine vm = o.vm();
    RunStrategy strategy = vm.getSpec().effectiveRunStrategy();
    Optional<String> restart = restartRequest(vm);
    Optional<String> stop =
        VmMetadata.annotation(vm, VmMetadata.STOP_ANNOTATION).filter(v -> !v.isBlank());
    boolean ackedByPod =
        restart.isPresent()
            && pods.all().stream()
                .anyMatch(p -> restart.get().equals(p.restartRequest().orElse(null)));
    boolean restartPending =
        restart.isPresent() && !restart.get().equals(old.restartedAt()) && !ackedByPod;
    boolean startWins = restart.isPresent() && (stop.isEmpty() || later(restart.get(), stop.get()));
    boolean stopWins = stop.isPresent() && (restart.isEmpty() || !later(restart.get(), stop.get()));

    LastRun last = lastRun(o, old, pods, settings);
    Optional<Instant> unknownSince =
        Conditions.find(old.conditions(), VmConditions.NODE_REACHABLE)
            .filter(c -> "False".equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .flatMap(PodView::instant);
    return new RunState(
        strategy,
        pods.current(),
        last.outcome(),
        last.message(),
        last.everRan(),
        restartPending,
        startWins,
        stopWins,
        last.failures(),
        last.retryAt(),
        unknownSince);
  }

  /** How the last run ended, for {@link RunState}: see its fields of the same names. */
  private record LastRun(
      Outcome outcome, String message, boolean everRan, int failures, Optional<Instant> retryAt) {

    LastRun(Outcome outcome, String message, boolean everRan) {
      this(outcome, message, everRan, 0, Optional.empty());
    }
  }

  /** The last run: from the pod that holds the VM or the one that ended, else the old status. */
  private static LastRun lastRun(
      Observed o, VirtualMachineStatus old, Pods pods, OperatorSettings settings) {
    Optional<Condition> oldReady = Conditions.find(old.conditions(), VmConditions.READY);
    String oldReason = oldReady.map(Condition::getReason).orElse("");
    String oldMessage = oldReady.map(Condition::getMessage).orElse("");
    if (pods.current().isPresent()) {
      return new LastRun(Outcome.NONE, "", true);
    } else if (pods.record().isPresent()) {
      return endedRun(o, old, oldReason, pods.record().get(), settings);
    } else if (old.podName() == null) {
      return new LastRun(Outcome.NONE, "", false);
    } else if (old.phase() == VmPhase.FAILED) {
      return new LastRun(
          Outcome.FAILED,
          oldMessage,
          true,
          old.failureCount() == null ? 0 : old.failureCount(),
          Optional.ofNullable(old.retryAfter()).flatMap(PodView::instant));
    } else if (old.phase() == VmPhase.STOPPED) {
      Outcome outcome =
          switch (oldReason) {
            case "PoweredOff" -> Outcome.POWERED_OFF;
            case "PodDeleted" -> Outcome.LOST;
            default -> Outcome.STOPPED;
          };
      return new LastRun(outcome, oldMessage, true);
    } else if (DELIBERATE_STOPS.contains(oldReason)) {
      return new LastRun(Outcome.STOPPED, "stopped", false);
    } else {
      return new LastRun(Outcome.LOST, "pod " + old.podName() + " was deleted", true);
    }
  }

  /** The last run, from the pod that ran it and ended. */
  private static LastRun endedRun(
      Observed o,
      VirtualMachineStatus old,
      String oldReason,
      PodView pod,
      OperatorSettings settings) {
    String message = "pod " + pod.name() + ": " + pod.outcomeMessage();
    if (pod.succeeded() && pod.terminating() && !DELIBERATE_STOPS.contains(oldReason)) {
      // Deleted by someone else (a drain, an eviction, kubectl delete pod): the launcher powered
      // the guest down cleanly, but the guest did not choose to stop.
      return new LastRun(
          Outcome.LOST, "pod " + pod.name() + " was deleted; the guest was shut down", true);
    } else if (pod.succeeded()) {
      return new LastRun(
          Outcome.POWERED_OFF, "the guest powered off (pod " + pod.name() + ")", true);
    }
    boolean sameSpec = pod.specHash().equals(Optional.of(SpecHash.of(o.vm().getSpec())));
    Outcome outcome =
        pod.exitCode().equals(Optional.of(ExitCode.INVALID)) && sameSpec
            ? Outcome.REFUSED
            : Outcome.FAILED;
    boolean ranLong =
        pod.ranFor().map(d -> d.compareTo(settings.backoffResetAfter()) >= 0).orElse(false);
    int failures = ranLong ? 1 : pod.failureCountAtStart() + 1;
    Optional<Instant> retryAt = Optional.empty();
    if (pod.name().equals(old.podName()) && old.retryAfter() != null) {
      retryAt = PodView.instant(old.retryAfter());
    }
    if (retryAt.isEmpty()) {
      Instant end = pod.finishedAt().orElse(o.now());
      retryAt = Optional.of(end.plus(backoff(failures, settings)));
    }
    return new LastRun(outcome, message, true, failures, retryAt);
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
      VirtualMachine vm,
      Optional<Service> observed,
      List<VmAction> actions,
      List<PlannedEvent> events) {
    Optional<Service> desired = VmService.desired(vm);
    boolean ours = observed.map(s -> VmMetadata.controlledBy(s, vm)).orElse(false);
    if (desired.isPresent()) {
      if (observed.isEmpty()) {
        actions.add(new VmAction.CreateService(desired.get()));
        events.add(
            PlannedEvent.normal(
                "ServiceCreated",
                "created Service "
                    + desired.get().getMetadata().getName()
                    + " for forwarded ports"));
      } else if (!ours) {
        events.add(
            PlannedEvent.warning(
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

  private static Optional<Conditions.Wanted> restartRequired(
      VirtualMachineSpec spec,
      ResolvedReferences refs,
      Map<String, Volume> volumes,
      Optional<PodView> current,
      List<String> problems) {
    if (current.isEmpty() || current.get().terminating()) {
      return Optional.empty();
    }
    PodView pod = current.get();
    Optional<String> manifest = VmMetadata.annotation(pod.pod(), VmMetadata.MANIFEST_ANNOTATION);
    List<String> changed = new ArrayList<>();
    String hash = SpecHash.of(spec);
    if (!pod.specHash().map(hash::equals).orElse(true)) {
      List<String> fields =
          manifest
              .flatMap(VmManifest::vmSpec)
              .map(before -> SpecHash.changedFields(before, spec))
              .orElse(List.of());
      changed.addAll(fields.isEmpty() ? List.of("the spec") : fields);
    }
    // A changed seed: cloud-init sees a new instance-id at the next boot, not before.
    refs.cloudInitInstance()
        .filter(
            instance ->
                VmMetadata.annotation(pod.pod(), VmSeed.INSTANCE_ANNOTATION)
                    .map(before -> !before.equals(instance))
                    .orElse(false))
        .ifPresent(instance -> changed.add("CloudInitConfig " + spec.cloudInit().name()));
    // A grown Volume: its image grows when the launcher next opens it.
    manifest
        .map(VmManifest::volumeSizes)
        .ifPresent(
            before ->
                before.forEach(
                    (name, size) -> {
                      Volume now = volumes.get(name);
                      if (now != null && !size.equals(now.getSpec().size())) {
                        changed.add(
                            "Volume " + name + " size " + size + " -> " + now.getSpec().size());
                      }
                    }));
    if (changed.isEmpty()) {
      return Optional.empty();
    }
    String message =
        "changed: "
            + String.join(", ", changed)
            + "; the next restart applies it (annotation "
            + VirtualMachine.RESTART_ANNOTATION
            + ")"
            + (problems.isEmpty()
                ? ""
                : "; but the new spec is invalid: " + String.join("; ", problems));
    return Optional.of(
        new Conditions.Wanted(VmConditions.RESTART_REQUIRED, true, "SpecChanged", message));
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
  private static List<PlannedEvent> transitionEvents(
      VirtualMachineStatus old, VirtualMachineStatus now, List<Condition> conditions) {
    List<PlannedEvent> events = new ArrayList<>();
    Optional<Condition> ready = Conditions.find(conditions, VmConditions.READY);
    Optional<Condition> oldReady = Conditions.find(old.conditions(), VmConditions.READY);
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
      events.add(new PlannedEvent(warning, reason, message));
    }
    boolean restartRequired =
        Conditions.find(conditions, VmConditions.RESTART_REQUIRED).isPresent();
    boolean wasRequired =
        Conditions.find(old.conditions(), VmConditions.RESTART_REQUIRED).isPresent();
    if (restartRequired && !wasRequired) {
      events.add(
          PlannedEvent.normal(
              "RestartRequired",
              Conditions.find(conditions, VmConditions.RESTART_REQUIRED)
                  .map(Condition::getMessage)
                  .orElse("")));
    }
    return events;
  }

  private static VirtualMachineStatus emptyStatus() {
    return new VirtualMachineStatus(
        null, null, List.of(), null, null, null, null, null, null, null, null, null, null);
  }
}
