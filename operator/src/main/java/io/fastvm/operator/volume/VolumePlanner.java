package io.fastvm.operator.volume;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fastvm.api.v1alpha1.CloneMode;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumeCloneSource;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.api.v1alpha1.VolumePhase;
import io.fastvm.api.v1alpha1.VolumeSource;
import io.fastvm.api.v1alpha1.VolumeStatus;
import io.fastvm.contract.volume.PopulateProgress;
import io.fastvm.contract.volume.PopulateResult;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.status.PlannedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides what a Volume needs, from what was observed, without I/O. The steps: is the source there
 * (for clones); the PVC; the image (a Job writes it, except an overlay clone, which the launcher
 * makes on the VM's first start: metadata only, no pod per clone); the status with its conditions;
 * the events of the transitions.
 */
public final class VolumePlanner {
  private VolumePlanner() {}

  /** How often a running populate Job's progress is read. */
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(2);

  /**
   * Failures of the data work: the source is immutable, so the same work would fail again. Other
   * failures (a clone too small for its source) are looked at again, since the spec can change.
   */
  static final java.util.Set<String> FINAL_FAILURES =
      java.util.Set.of(
          "PopulateRefused",
          "NoSpace",
          "SourceUnavailable",
          "PopulateFailed",
          "NoResult",
          "SourceIsAnOverlay");

  /** Where the image stands, with the reason and message of the Ready condition. */
  record Stage(VolumePhase phase, String reason, String message) {}

  public static VolumePlan plan(VolumeObserved observed, OperatorSettings settings) {
    Volume volume = observed.volume();
    VolumeStatus old = volume.getStatus();
    List<VolumeAction> actions = new ArrayList<>();
    Optional<Duration> requeue = Optional.empty();
    Result result = new Result(old);

    // A written image no longer needs its source (a full copy's source may go).
    Optional<Stage> waiting = written(old) ? Optional.empty() : waitingForSource(observed);
    Stage stage;
    if (old != null
        && old.phase() == VolumePhase.FAILED
        && FINAL_FAILURES.contains(readyReason(old))) {
      // Sources are immutable: what failed fails again. The Job (and its pod's log) stays.
      stage = new Stage(VolumePhase.FAILED, readyReason(old), readyMessage(old));
    } else if (waiting.isPresent()) {
      stage = waiting.get();
    } else {
      claim(observed, actions);
      if (overlay(volume)) {
        stage =
            new Stage(
                VolumePhase.READY,
                "Ready",
                "an overlay clone: its image is made when a VM first starts");
      } else {
        stage = populate(observed, settings, actions, result);
        boolean jobKept =
            observed.job().isPresent()
                && actions.stream().noneMatch(a -> a instanceof VolumeAction.DeleteJob);
        if (stage.phase() == VolumePhase.POPULATING
            || (stage.phase() == VolumePhase.READY && jobKept)) {
          // Progress to read, or a finished Job to delete once Ready is written.
          requeue = Optional.of(PROGRESS_INTERVAL);
        }
      }
    }
    VolumeStatus status = status(observed, stage, result);
    return new VolumePlan(actions, status, events(old, stage), requeue);
  }

  // --- the source ------------------------------------------------------------------------------

  /** Clones wait for their source Volume; restores for their Snapshot (not yet supported). */
  static Optional<Stage> waitingForSource(VolumeObserved observed) {
    VolumeSource source = observed.volume().getSpec().source();
    if (source.snapshot() != null) {
      return Optional.of(
          new Stage(
              VolumePhase.PENDING,
              "SnapshotRestoreNotSupported",
              "restoring from Snapshot "
                  + source.snapshot().name()
                  + " comes with the Snapshot reconciler; this Volume waits until then"));
    }
    VolumeCloneSource clone = source.volume();
    if (clone == null) {
      return Optional.empty();
    }
    if (observed.source().isEmpty()) {
      return Optional.of(
          new Stage(
              VolumePhase.PENDING,
              "SourceNotFound",
              "source Volume " + clone.name() + " does not exist"));
    }
    Volume from = observed.source().get();
    VolumeStatus status = from.getStatus();
    if (status == null || status.phase() != VolumePhase.READY || status.claimName() == null) {
      return Optional.of(
          new Stage(
              VolumePhase.PENDING,
              "SourceNotReady",
              "source Volume " + clone.name() + " is not Ready yet"));
    }
    if (overlay(from)) {
      // One level of backing: a chain would need every ancestor mounted in every VM pod.
      return Optional.of(
          new Stage(
              VolumePhase.FAILED,
              "SourceIsAnOverlay",
              "source Volume "
                  + clone.name()
                  + " is itself an overlay clone; clone it with mode copy, or clone its source"));
    }
    if (overlay(observed.volume())
        && VolumeSizes.bytes(observed.volume().getSpec().size())
            < VolumeSizes.bytes(from.getSpec().size())) {
      return Optional.of(
          new Stage(
              VolumePhase.FAILED,
              "TooSmall",
              "an overlay clone cannot be smaller than its source ("
                  + from.getSpec().size()
                  + "); set size to at least that"));
    }
    return Optional.empty();
  }

  static boolean overlay(Volume volume) {
    VolumeCloneSource clone = volume.getSpec().source().volume();
    return clone != null && clone.mode() == CloneMode.OVERLAY;
  }

  // --- the PVC ---------------------------------------------------------------------------------

  private static void claim(VolumeObserved observed, List<VolumeAction> actions) {
    Volume volume = observed.volume();
    if (observed.claim().isEmpty()) {
      actions.add(new VolumeAction.CreateClaim(VolumeClaim.desired(volume)));
    } else if (VolumeClaim.mustGrow(observed.claim().get(), volume)) {
      actions.add(new VolumeAction.GrowClaim(VolumeNames.claim(volume), VolumeClaim.size(volume)));
    }
  }

  // --- the image -------------------------------------------------------------------------------

  /** The populate result, once known: from the finished Job, else kept from the old status. */
  static final class Result {
    Long virtualSize;
    Long allocatedSize;
    String progress;
    Long progressBytes;

    Result(VolumeStatus old) {
      if (old != null) {
        // Kept while the pod's log cannot be read, so the figure does not flicker.
        progress = old.progress();
        progressBytes = old.progressBytes();
        virtualSize = old.virtualSize() == null ? null : VolumeSizes.bytes(old.virtualSize());
        allocatedSize = old.allocatedSize() == null ? null : VolumeSizes.bytes(old.allocatedSize());
      }
    }
  }

  private static Stage populate(
      VolumeObserved observed,
      OperatorSettings settings,
      List<VolumeAction> actions,
      Result result) {
    Volume volume = observed.volume();
    VolumeStatus old = volume.getStatus();
    Optional<Job> job = observed.job();
    if (written(old)) {
      job.ifPresent(j -> actions.add(new VolumeAction.DeleteJob(j.getMetadata().getName())));
      return new Stage(VolumePhase.READY, "Ready", "the image is written");
    }
    if (job.isEmpty()) {
      PopulateJob.CopySource copy = copySource(observed);
      actions.add(new VolumeAction.CreateJob(PopulateJob.desired(volume, copy, settings)));
      return new Stage(VolumePhase.POPULATING, "Populating", "a Job writes the image");
    }
    Optional<ContainerStateTerminated> ended = observed.jobPod().flatMap(VolumePlanner::terminated);
    if (finished(job.get(), "Complete")) {
      if (podLags(observed, ended, "Complete")) {
        return new Stage(VolumePhase.POPULATING, "Populating", "a Job writes the image");
      }
      Optional<PopulateResult> done =
          ended.map(ContainerStateTerminated::getMessage).flatMap(VolumePlanner::parseResult);
      if (done.isEmpty()) {
        return new Stage(
            VolumePhase.FAILED,
            "NoResult",
            "the populate Job completed without reporting the image it wrote");
      }
      result.virtualSize = done.get().virtualSize();
      result.allocatedSize = done.get().allocatedSize();
      // The Job goes once Ready is written: were that write lost, the Job still says it is done.
      return new Stage(VolumePhase.READY, "Ready", "the image is written");
    }
    if (finished(job.get(), "Failed")) {
      if (podLags(observed, ended, "Failed")) {
        // Wait for the pod's exit code and message: they say why, and the failure is final.
        return new Stage(VolumePhase.POPULATING, "Populating", "a Job writes the image");
      }
      String why =
          ended
              .map(
                  t ->
                      t.getMessage() == null
                          ? "exit code " + t.getExitCode()
                          : t.getMessage().strip())
              .orElse(
                  condition(job.get(), "Failed")
                      .map(JobCondition::getMessage)
                      .orElse("the Job failed"));
      return new Stage(VolumePhase.FAILED, failureReason(ended), why);
    }
    observed
        .progressLine()
        .flatMap(PopulateProgress::parse)
        .ifPresent(
            p -> {
              result.progressBytes = p.bytesDone();
              if (p.bytesTotal() > 0) {
                result.progress = Math.min(100, p.bytesDone() * 100 / p.bytesTotal()) + "%";
              }
            });
    return new Stage(VolumePhase.POPULATING, "Populating", "a Job writes the image");
  }

  private static PopulateJob.CopySource copySource(VolumeObserved observed) {
    VolumeCloneSource clone = observed.volume().getSpec().source().volume();
    if (clone == null) {
      return null;
    }
    Volume from = observed.source().orElseThrow();
    VolumeStatus status = from.getStatus();
    VolumeFormat format =
        status.format() != null ? status.format() : from.getSpec().effectiveFormat();
    return new PopulateJob.CopySource(
        from.getMetadata().getName(),
        status.claimName(),
        status.imagePath(),
        format.name().toLowerCase(java.util.Locale.ROOT));
  }

  private static Optional<ContainerStateTerminated> terminated(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> PopulateJob.CONTAINER.equals(c.getName()))
        .filter(c -> c.getState() != null && c.getState().getTerminated() != null)
        .map(c -> c.getState().getTerminated())
        .findFirst();
  }

  private static Optional<PopulateResult> parseResult(String message) {
    try {
      return message == null ? Optional.empty() : Optional.of(PopulateResult.fromJson(message));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** How long a completed Job's pod may lag behind it in the cache before it counts as gone. */
  static final Duration POD_CACHE_LAG = Duration.ofMinutes(1);

  /**
   * Ready: the data work is over. Only the phase counts: a Ready status that lost its sizes (an
   * edit by hand, a restore from backup) must not write the image again over the guest's data.
   */
  static boolean written(VolumeStatus status) {
    return status != null && status.phase() == VolumePhase.READY;
  }

  /** The Job's end came before its pod's in this cache: the pod's event is on its way. */
  private static boolean podLags(
      VolumeObserved observed, Optional<ContainerStateTerminated> ended, String type) {
    return ended.isEmpty()
        && (observed.jobPod().isPresent()
            || justFinished(observed.job().get(), type, observed.now()));
  }

  private static boolean justFinished(Job job, String type, java.time.Instant now) {
    try {
      return condition(job, type)
          .map(JobCondition::getLastTransitionTime)
          .map(java.time.Instant::parse)
          .map(at -> at.plus(POD_CACHE_LAG).isAfter(now))
          .orElse(false);
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  private static boolean finished(Job job, String type) {
    return condition(job, type).isPresent();
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }

  private static String failureReason(Optional<ContainerStateTerminated> ended) {
    int code = ended.map(ContainerStateTerminated::getExitCode).orElse(-1);
    return switch (code) {
      case io.fastvm.contract.volume.PopulateExitCode.PERMANENT -> "PopulateRefused";
      case io.fastvm.contract.volume.PopulateExitCode.NO_SPACE -> "NoSpace";
      case io.fastvm.contract.volume.PopulateExitCode.TRANSIENT -> "SourceUnavailable";
      default -> "PopulateFailed";
    };
  }

  // --- the status ------------------------------------------------------------------------------

  private static VolumeStatus status(VolumeObserved observed, Stage stage, Result result) {
    Volume volume = observed.volume();
    VolumeStatus old = volume.getStatus();
    List<Conditions.Wanted> wanted = new ArrayList<>();
    wanted.add(
        new Conditions.Wanted(
            VolumeConditions.READY,
            stage.phase() == VolumePhase.READY,
            stage.reason(),
            stage.message()));
    VolumeCloneSource clone = volume.getSpec().source().volume();
    if (clone != null) {
      boolean sourceReady = !List.of("SourceNotFound", "SourceNotReady").contains(stage.reason());
      wanted.add(
          new Conditions.Wanted(
              VolumeConditions.SOURCE_READY,
              sourceReady,
              sourceReady ? "SourceReady" : stage.reason(),
              sourceReady ? "source Volume " + clone.name() + " is Ready" : stage.message()));
    }
    if (!observed.users().isEmpty()) {
      wanted.add(
          new Conditions.Wanted(
              VolumeConditions.IN_USE,
              true,
              "UsedByVirtualMachines",
              "used by " + names("VirtualMachine", observed.users())));
    }
    if (!observed.overlayClones().isEmpty()) {
      wanted.add(
          new Conditions.Wanted(
              VolumeConditions.CLONE_BASE,
              true,
              "BacksOverlayClones",
              "backs "
                  + countedNames("overlay clone", observed.overlayClones())
                  + ": read-only, and kept until they are deleted"));
    }
    long wantedSize = VolumeSizes.bytes(volume.getSpec().size());
    if (stage.phase() == VolumePhase.READY
        && result.virtualSize != null
        && wantedSize > result.virtualSize) {
      wanted.add(
          new Conditions.Wanted(
              VolumeConditions.SIZE_PENDING,
              true,
              "GrowsOnNextStart",
              "the image grows from "
                  + VolumeSizes.quantity(result.virtualSize)
                  + " to "
                  + volume.getSpec().size()
                  + " when a VM next starts with it"));
    }
    boolean ready = stage.phase() == VolumePhase.READY;
    return new VolumeStatus(
        stage.phase(),
        ready ? "100%" : result.progress,
        ready ? null : result.progressBytes,
        VolumeNames.claim(volume),
        VolumeStatus.DEFAULT_IMAGE_PATH,
        volume.getSpec().effectiveFormat(),
        result.virtualSize == null ? null : VolumeSizes.quantity(result.virtualSize),
        result.allocatedSize == null ? null : VolumeSizes.quantity(result.allocatedSize),
        overlay(volume) ? clone.name() : null,
        Conditions.merge(
            old == null ? null : old.conditions(),
            wanted,
            observed.now(),
            volume.getMetadata().getGeneration()),
        volume.getMetadata().getGeneration());
  }

  /** "3 overlay clones a, b, c": a base may back thousands, of which {@link #names} shows 10. */
  static String countedNames(String noun, List<String> names) {
    return names.size() + " " + names(noun, names);
  }

  static String names(String kind, List<String> names) {
    int shown = Math.min(names.size(), 10);
    String list = String.join(", ", names.subList(0, shown));
    return kind + (names.size() == 1 ? " " : "s ") + list + (names.size() > shown ? ", ..." : "");
  }

  private static String readyReason(VolumeStatus status) {
    return Conditions.find(status.conditions(), VolumeConditions.READY)
        .map(c -> c.getReason())
        .orElse("Failed");
  }

  private static String readyMessage(VolumeStatus status) {
    return Conditions.find(status.conditions(), VolumeConditions.READY)
        .map(c -> c.getMessage())
        .orElse("");
  }

  // --- the events ------------------------------------------------------------------------------

  private static List<PlannedEvent> events(VolumeStatus old, Stage stage) {
    VolumePhase before = old == null ? null : old.phase();
    String beforeReason = old == null ? null : readyReason(old);
    if (before == stage.phase() && stage.reason().equals(beforeReason)) {
      return List.of();
    }
    return switch (stage.phase()) {
      case READY -> List.of(PlannedEvent.normal("Ready", stage.message()));
      case POPULATING -> List.of(PlannedEvent.normal("Populating", stage.message()));
      case PENDING -> List.of(PlannedEvent.normal(stage.reason(), stage.message()));
      case FAILED -> List.of(PlannedEvent.warning(stage.reason(), stage.message()));
    };
  }
}
