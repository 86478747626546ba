package io.fastvm.operator.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fastvm.api.v1alpha1.BlankSource;
import io.fastvm.api.v1alpha1.CloneMode;
import io.fastvm.api.v1alpha1.SnapshotRestoreSource;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumeCloneSource;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.api.v1alpha1.VolumePhase;
import io.fastvm.api.v1alpha1.VolumeSource;
import io.fastvm.api.v1alpha1.VolumeSpec;
import io.fastvm.api.v1alpha1.VolumeStatus;
import io.fastvm.contract.volume.PopulateExitCode;
import io.fastvm.contract.volume.PopulateLayout;
import io.fastvm.contract.volume.PopulateResult;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.status.PlannedEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Volume planner as a pure function: observed state in, actions and status out. */
class VolumePlannerTest {

  private static final String NS = "vms";
  private static final long GI = 1L << 30;

  private final OperatorSettings settings = OperatorSettings.defaults();
  private final Instant now = Instant.parse("2026-11-23T10:00:00Z");

  // --- Volumes ---------------------------------------------------------------------------------

  private static Volume volume(String name, String size, VolumeSource source) {
    Volume volume =
        new Volume(NS, name, new VolumeSpec(size, VolumeFormat.QCOW2, null, null, source));
    volume.getMetadata().setUid(name + "-0a1b2c3d-uid");
    volume.getMetadata().setGeneration(1L);
    return volume;
  }

  private static Volume blank(String name, String size) {
    return volume(name, size, new VolumeSource(new BlankSource(), null, null, null));
  }

  private static Volume clone(String name, String size, String source, CloneMode mode) {
    return volume(
        name, size, new VolumeSource(null, null, new VolumeCloneSource(source, mode), null));
  }

  private static Volume withStatus(
      Volume volume, VolumePhase phase, String virtualSize, Condition... conditions) {
    volume.setStatus(
        new VolumeStatus(
            phase,
            phase == VolumePhase.READY ? "100%" : null,
            null,
            VolumeNames.claim(volume),
            VolumeStatus.DEFAULT_IMAGE_PATH,
            VolumeFormat.QCOW2,
            virtualSize,
            virtualSize == null ? null : "3Mi",
            null,
            List.of(conditions),
            1L));
    return volume;
  }

  /** As the planner left it while its Job runs. */
  private static Volume populating(Volume volume) {
    return withStatus(
        volume,
        VolumePhase.POPULATING,
        null,
        readyCondition(false, "Populating", "a Job writes the image"));
  }

  /** As the planner left it once its Job reported an image of {@code virtualSize}. */
  private static Volume populated(Volume volume, String virtualSize) {
    return withStatus(
        volume,
        VolumePhase.READY,
        virtualSize,
        readyCondition(true, "Ready", "the image is written"));
  }

  /** A populated Volume, as a clone's source. */
  private static Volume readySource(String name, String size) {
    return populated(blank(name, size), size);
  }

  private static Condition readyCondition(boolean status, String reason, String message) {
    return new ConditionBuilder()
        .withType(VolumeConditions.READY)
        .withStatus(status ? "True" : "False")
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime("2026-11-23T09:00:00Z")
        .build();
  }

  // --- the Job and its pod ---------------------------------------------------------------------

  private Job job(Volume volume) {
    return PopulateJob.desired(volume, null, settings);
  }

  private static Job finished(Job job, String type, Instant at, String message) {
    return new JobBuilder(job)
        .withNewStatus()
        .addToConditions(
            new JobConditionBuilder()
                .withType(type)
                .withStatus("True")
                .withLastTransitionTime(at.toString())
                .withMessage(message)
                .build())
        .endStatus()
        .build();
  }

  private Job completed(Volume volume, Instant at) {
    return finished(job(volume), "Complete", at, null);
  }

  private Job failed(Volume volume) {
    return finished(
        job(volume), "Failed", now.minusSeconds(5), "Job has reached the specified backoff limit");
  }

  private static PodBuilder pod(Job job) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(job.getMetadata().getName() + "-x7k2p")
        .withNamespace(NS)
        .endMetadata();
  }

  private static Pod running(Job job) {
    return pod(job)
        .withNewStatus()
        .withPhase("Running")
        .addNewContainerStatus()
        .withName(PopulateJob.CONTAINER)
        .withNewState()
        .withNewRunning()
        .withStartedAt("2026-11-23T09:59:00Z")
        .endRunning()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  private static Pod terminated(Job job, int exitCode, String message) {
    return pod(job)
        .withNewStatus()
        .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
        .addNewContainerStatus()
        .withName(PopulateJob.CONTAINER)
        .withNewState()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withMessage(message)
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  // --- observing and planning ------------------------------------------------------------------

  private Observation observe(Volume volume) {
    return new Observation(volume);
  }

  /** What a reconcile saw, built up one secondary resource at a time. */
  private final class Observation {
    private final Volume volume;
    private Optional<PersistentVolumeClaim> claim = Optional.empty();
    private Optional<Job> job = Optional.empty();
    private Optional<Pod> pod = Optional.empty();
    private Optional<String> progressLine = Optional.empty();
    private Optional<Volume> source = Optional.empty();
    private List<String> users = List.of();
    private List<String> overlayClones = List.of();

    Observation(Volume volume) {
      this.volume = volume;
    }

    /** The claim as the planner would have made it for the Volume's current spec. */
    Observation withClaim() {
      return withClaim(VolumeClaim.desired(volume));
    }

    Observation withClaim(PersistentVolumeClaim claim) {
      this.claim = Optional.of(claim);
      return this;
    }

    Observation withJob(Job job) {
      this.job = Optional.of(job);
      return this;
    }

    Observation withPod(Pod pod) {
      this.pod = Optional.of(pod);
      return this;
    }

    Observation withProgressLine(String line) {
      this.progressLine = Optional.of(line);
      return this;
    }

    Observation withSource(Volume source) {
      this.source = Optional.of(source);
      return this;
    }

    Observation usedBy(String... vms) {
      this.users = List.of(vms);
      return this;
    }

    Observation backing(String... clones) {
      this.overlayClones = List.of(clones);
      return this;
    }

    VolumePlan plan() {
      return VolumePlanner.plan(
          new VolumeObserved(
              volume, claim, job, pod, progressLine, source, users, overlayClones, now),
          settings);
    }
  }

  private static Condition condition(VolumePlan plan, String type) {
    return Conditions.find(plan.status().conditions(), type)
        .orElseThrow(() -> new AssertionError("no " + type + " condition: " + plan.status()));
  }

  private static void assertReady(VolumePlan plan, String status, String reason) {
    assertThat(condition(plan, VolumeConditions.READY))
        .extracting(Condition::getStatus, Condition::getReason)
        .containsExactly(status, reason);
  }

  private static Job createdJob(VolumePlan plan) {
    return plan.actions().stream()
        .filter(VolumeAction.CreateJob.class::isInstance)
        .map(a -> ((VolumeAction.CreateJob) a).job())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Job created: " + plan.actions()));
  }

  // --- a new Volume ----------------------------------------------------------------------------

  @Test
  void aNewBlankVolumeGetsItsClaimAndAPopulateJob() {
    Volume volume = blank("data", "10Gi");

    VolumePlan plan = observe(volume).plan();

    assertThat(plan.actions())
        .containsExactly(
            new VolumeAction.CreateClaim(VolumeClaim.desired(volume)),
            new VolumeAction.CreateJob(PopulateJob.desired(volume, null, settings)));
    PersistentVolumeClaim claim = ((VolumeAction.CreateClaim) plan.actions().get(0)).claim();
    // 10Gi plus 1/32 plus 64Mi: room for the qcow2 metadata and the filesystem's own.
    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(VolumeSizes.claimSize(10 * GI))
        .isEqualTo(new Quantity("10624Mi"));
    assertThat(claim.getMetadata().getName()).isEqualTo("data-disk");
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.POPULATING);
    assertThat(plan.status().claimName()).isEqualTo("data-disk");
    assertThat(plan.status().virtualSize()).isNull();
    assertReady(plan, "False", "Populating");
    assertThat(plan.requeueAfter()).contains(VolumePlanner.PROGRESS_INTERVAL);
    assertThat(plan.events())
        .containsExactly(PlannedEvent.normal("Populating", "a Job writes the image"));
  }

  // --- a finished Job --------------------------------------------------------------------------

  @Test
  void aCompletedJobMakesTheVolumeReadyWithTheSizesItReported() {
    Volume volume = populating(blank("data", "10Gi"));
    Job job = completed(volume, now.minusSeconds(5));
    String result = new PopulateResult(10 * GI, 200L << 10, "qcow2", null).toJson();

    VolumePlan plan =
        observe(volume)
            .withClaim()
            .withJob(job)
            .withPod(terminated(job, PopulateExitCode.DONE, result))
            .plan();

    // The Job stays until Ready is written: a lost status write must not lose the result.
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.READY);
    assertThat(plan.status().virtualSize()).isEqualTo("10Gi");
    assertThat(plan.status().allocatedSize()).isEqualTo("200Ki");
    assertThat(plan.status().progress()).isEqualTo("100%");
    assertThat(plan.status().progressBytes()).isNull();
    assertReady(plan, "True", "Ready");
    assertThat(plan.requeueAfter()).contains(VolumePlanner.PROGRESS_INTERVAL);
    assertThat(plan.events()).extracting(PlannedEvent::reason).containsExactly("Ready");
  }

  @Test
  void aCompletedJobWhosePodIsNotTerminatedInTheCacheYetKeepsPopulating() {
    Volume volume = populating(blank("data", "10Gi"));
    Job job = completed(volume, now.minusSeconds(600));

    VolumePlan plan = observe(volume).withClaim().withJob(job).withPod(running(job)).plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.POPULATING);
    assertReady(plan, "False", "Populating");
    assertThat(plan.requeueAfter()).contains(VolumePlanner.PROGRESS_INTERVAL);
  }

  @Test
  void aJobThatJustCompletedWithoutAPodInTheCacheKeepsPopulating() {
    Volume volume = populating(blank("data", "10Gi"));
    Instant within = now.minus(VolumePlanner.POD_CACHE_LAG).plusSeconds(1);

    VolumePlan plan = observe(volume).withClaim().withJob(completed(volume, within)).plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.POPULATING);
    assertReady(plan, "False", "Populating");
  }

  @Test
  void aJobCompletedLongerAgoThanTheCacheLagWithoutAPodFailsWithNoResult() {
    Volume volume = populating(blank("data", "10Gi"));
    Instant before = now.minus(VolumePlanner.POD_CACHE_LAG).minusSeconds(1);

    VolumePlan plan = observe(volume).withClaim().withJob(completed(volume, before)).plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.FAILED);
    assertReady(plan, "False", "NoResult");
    assertThat(plan.requeueAfter()).isEmpty();
    assertThat(plan.events())
        .singleElement()
        .satisfies(e -> assertThat(e.warning()).isTrue())
        .extracting(PlannedEvent::reason)
        .isEqualTo("NoResult");
  }

  @Test
  void aCompletedJobWhosePodReportedNoParsableResultFailsWithNoResult() {
    Volume volume = populating(blank("data", "10Gi"));
    Job job = completed(volume, now.minusSeconds(5));

    VolumePlan plan =
        observe(volume)
            .withClaim()
            .withJob(job)
            .withPod(terminated(job, PopulateExitCode.DONE, "done"))
            .plan();

    assertThat(plan.status().phase()).isEqualTo(VolumePhase.FAILED);
    assertReady(plan, "False", "NoResult");
  }

  // --- a failed Job ----------------------------------------------------------------------------

  private VolumePlan failedWith(int exitCode, String message) {
    Volume volume = populating(blank("data", "10Gi"));
    Job job = failed(volume);
    return observe(volume)
        .withClaim()
        .withJob(job)
        .withPod(terminated(job, exitCode, message))
        .plan();
  }

  private static void assertFailed(VolumePlan plan, String reason, String message) {
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.FAILED);
    assertReady(plan, "False", reason);
    assertThat(condition(plan, VolumeConditions.READY).getMessage()).isEqualTo(message);
    assertThat(plan.events()).containsExactly(PlannedEvent.warning(reason, message));
    assertThat(plan.requeueAfter()).isEmpty();
  }

  @Test
  void aPermanentPopulateErrorFailsWithPopulateRefused() {
    VolumePlan plan = failedWith(PopulateExitCode.PERMANENT, "sha256 mismatch: got 00ff\n");
    assertFailed(plan, "PopulateRefused", "sha256 mismatch: got 00ff");
  }

  @Test
  void aFullClaimFailsWithNoSpace() {
    VolumePlan plan = failedWith(PopulateExitCode.NO_SPACE, "no space left on the PVC");
    assertFailed(plan, "NoSpace", "no space left on the PVC");
  }

  @Test
  void aTransientErrorThatOutlastedTheRetriesFailsWithSourceUnavailable() {
    VolumePlan plan = failedWith(PopulateExitCode.TRANSIENT, "HTTP 503 from the server");
    assertFailed(plan, "SourceUnavailable", "HTTP 503 from the server");
  }

  @Test
  void anyOtherExitCodeFailsWithPopulateFailed() {
    VolumePlan plan = failedWith(137, "OOMKilled");
    assertFailed(plan, "PopulateFailed", "OOMKilled");
  }

  @Test
  void aFailedPodWithoutATerminationMessageIsDescribedByItsExitCode() {
    VolumePlan plan = failedWith(1, null);
    assertFailed(plan, "PopulateFailed", "exit code 1");
  }

  /**
   * A Failed Job whose pod has not yet reached Terminated in this cache waits for the pod, as a
   * Complete Job does: every populate failure is final, so the populator's own reason (its exit
   * code and termination message) must be the one recorded.
   */
  @Test
  void aFailedJobWhosePodIsNotTerminatedInTheCacheYetWaitsForThePodsReason() {
    Volume volume = populating(blank("data", "10Gi"));
    Job job = failed(volume);

    VolumePlan plan = observe(volume).withClaim().withJob(job).withPod(running(job)).plan();

    assertThat(plan.status().phase()).isEqualTo(VolumePhase.POPULATING);
    assertReady(plan, "False", "Populating");
  }

  @Test
  void aFinalFailureIsStickyAndStartsNoNewJob() {
    Condition noSpace = readyCondition(false, "NoSpace", "no space left on the PVC");
    Volume volume = withStatus(blank("data", "10Gi"), VolumePhase.FAILED, null, noSpace);
    assertThat(VolumePlanner.FINAL_FAILURES).contains("NoSpace");

    // The Job is gone (deleted by hand): the same work would fail again, so none is made.
    VolumePlan plan = observe(volume).withClaim().plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.FAILED);
    assertThat(condition(plan, VolumeConditions.READY))
        .extracting(
            Condition::getStatus,
            Condition::getReason,
            Condition::getMessage,
            Condition::getLastTransitionTime)
        .containsExactly(
            "False", "NoSpace", "no space left on the PVC", noSpace.getLastTransitionTime());
    assertThat(plan.events()).isEmpty();
    assertThat(plan.requeueAfter()).isEmpty();
  }

  @Test
  void aNonFinalFailureIsLookedAtAgain() {
    Condition tooSmall = readyCondition(false, "TooSmall", "an overlay clone cannot be smaller");
    Volume volume =
        withStatus(
            clone("vm1-root", "20Gi", "template", CloneMode.OVERLAY),
            VolumePhase.FAILED,
            null,
            tooSmall);

    // The user grew the clone to its source's size.
    VolumePlan plan = observe(volume).withSource(readySource("template", "20Gi")).plan();

    assertThat(plan.status().phase()).isEqualTo(VolumePhase.READY);
    assertThat(plan.actions())
        .containsExactly(new VolumeAction.CreateClaim(VolumeClaim.desired(volume)));
  }

  // --- a running Job ---------------------------------------------------------------------------

  @Test
  void aRunningJobsProgressLineBecomesProgressAndProgressBytes() {
    Volume volume = populating(blank("data", "10Gi"));
    Job job = job(volume);

    VolumePlan plan =
        observe(volume)
            .withClaim()
            .withJob(job)
            .withPod(running(job))
            .withProgressLine("progress 429496730 1073741824")
            .plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.POPULATING);
    assertThat(plan.status().progress()).isEqualTo("40%");
    assertThat(plan.status().progressBytes()).isEqualTo(429496730L);
    assertThat(plan.requeueAfter()).contains(VolumePlanner.PROGRESS_INTERVAL);
    assertThat(plan.events()).isEmpty();
  }

  @Test
  void aDownloadOfUnknownLengthShowsOnlyItsBytes() {
    Volume volume = populating(blank("data", "10Gi"));
    Job job = job(volume);

    VolumePlan plan =
        observe(volume)
            .withClaim()
            .withJob(job)
            .withPod(running(job))
            .withProgressLine("progress 5000 -1")
            .plan();

    assertThat(plan.status().progress()).isNull();
    assertThat(plan.status().progressBytes()).isEqualTo(5000L);
  }

  // --- a populated Volume ----------------------------------------------------------------------

  @Test
  void aReadyVolumeDeletesALeftoverJobAndStaysReady() {
    Volume volume = populated(blank("data", "10Gi"), "10Gi");
    Job job = completed(volume, now.minusSeconds(30));

    VolumePlan plan = observe(volume).withClaim().withJob(job).plan();

    assertThat(plan.actions())
        .containsExactly(new VolumeAction.DeleteJob(job.getMetadata().getName()));
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.READY);
    assertThat(plan.status().virtualSize()).isEqualTo("10Gi");
    assertThat(plan.status().allocatedSize()).isEqualTo("3Mi");
    assertReady(plan, "True", "Ready");
    assertThat(plan.events()).isEmpty();
    assertThat(plan.requeueAfter()).isEmpty();
  }

  @Test
  void aReadyVolumeThatLostItsSizesIsNotWrittenAgain() {
    Volume volume =
        withStatus(
            blank("data", "10Gi"),
            VolumePhase.READY,
            null,
            readyCondition(true, "Ready", "the image is written"));

    VolumePlan plan = observe(volume).withClaim().plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.READY);
    assertReady(plan, "True", "Ready");
  }

  @Test
  void aGrownSpecGrowsTheClaimAndShowsSizePendingUntilTheImageGrows() {
    Volume volume = populated(blank("data", "20Gi"), "10Gi");
    PersistentVolumeClaim claimFor10Gi = VolumeClaim.desired(blank("data", "10Gi"));

    VolumePlan plan = observe(volume).withClaim(claimFor10Gi).plan();

    assertThat(plan.actions())
        .containsExactly(new VolumeAction.GrowClaim("data-disk", VolumeSizes.claimSize(20 * GI)));
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.READY);
    assertThat(plan.status().virtualSize()).isEqualTo("10Gi");
    assertThat(condition(plan, VolumeConditions.SIZE_PENDING))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
        .containsExactly(
            "True",
            "GrowsOnNextStart",
            "the image grows from 10Gi to 20Gi when a VM next starts with it");
  }

  @Test
  void aClaimAlreadyGrownToTheSpecIsLeftAlone() {
    Volume volume = populated(blank("data", "20Gi"), "20Gi");

    VolumePlan plan = observe(volume).withClaim().plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(Conditions.find(plan.status().conditions(), VolumeConditions.SIZE_PENDING))
        .isEmpty();
  }

  // --- users and clones ------------------------------------------------------------------------

  @Test
  void usersAndOverlayClonesAreNamedInInUseAndCloneBase() {
    Volume volume = readySource("template", "20Gi");

    VolumePlan plan =
        observe(volume).withClaim().usedBy("vm-a", "vm-b").backing("vm1-root", "vm2-root").plan();

    assertThat(condition(plan, VolumeConditions.IN_USE))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
        .containsExactly("True", "UsedByVirtualMachines", "used by VirtualMachines vm-a, vm-b");
    assertThat(condition(plan, VolumeConditions.CLONE_BASE))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
        .containsExactly(
            "True",
            "BacksOverlayClones",
            "backs 2 overlay clones vm1-root, vm2-root: read-only, and kept until they are deleted");
  }

  @Test
  void aBaseOfManyClonesCountsThemAndNamesOnlyTheFirstTen() {
    String[] clones = new String[250];
    for (int i = 0; i < clones.length; i++) {
      clones[i] = "vm" + i + "-root";
    }

    VolumePlan plan = observe(readySource("template", "20Gi")).withClaim().backing(clones).plan();

    assertThat(condition(plan, VolumeConditions.CLONE_BASE).getMessage())
        .isEqualTo(
            "backs 250 overlay clones vm0-root, vm1-root, vm2-root, vm3-root, vm4-root, vm5-root,"
                + " vm6-root, vm7-root, vm8-root, vm9-root, ...: read-only, and kept until they"
                + " are deleted");
  }

  @Test
  void aSingleUserIsNamedInTheSingular() {
    VolumePlan plan = observe(readySource("data", "10Gi")).withClaim().usedBy("vm-a").plan();

    assertThat(condition(plan, VolumeConditions.IN_USE).getMessage())
        .isEqualTo("used by VirtualMachine vm-a");
  }

  @Test
  void withoutUsersOrClonesThereIsNoInUseNorCloneBase() {
    VolumePlan plan = observe(readySource("data", "10Gi")).withClaim().plan();

    assertThat(plan.status().conditions())
        .extracting(Condition::getType)
        .containsExactly(VolumeConditions.READY);
  }

  // --- clones ----------------------------------------------------------------------------------

  @Test
  void anOverlayCloneOfAReadySourceIsReadyWithoutAJob() {
    Volume volume = clone("vm1-root", "20Gi", "template", CloneMode.OVERLAY);

    VolumePlan plan = observe(volume).withSource(readySource("template", "20Gi")).plan();

    assertThat(plan.actions())
        .containsExactly(new VolumeAction.CreateClaim(VolumeClaim.desired(volume)));
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.READY);
    assertThat(plan.status().backingVolume()).isEqualTo("template");
    assertThat(plan.status().virtualSize()).isNull();
    assertReady(plan, "True", "Ready");
    assertThat(condition(plan, VolumeConditions.SOURCE_READY))
        .extracting(Condition::getStatus, Condition::getReason)
        .containsExactly("True", "SourceReady");
    assertThat(plan.requeueAfter()).isEmpty();
  }

  @Test
  void anOverlayCloneWithItsClaimHasNothingToDo() {
    Volume volume = clone("vm1-root", "20Gi", "template", CloneMode.OVERLAY);

    VolumePlan plan =
        observe(volume).withClaim().withSource(readySource("template", "20Gi")).plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.READY);
  }

  @Test
  void aCloneWhoseSourceIsMissingIsPendingSourceNotFound() {
    Volume volume = clone("vm1-root", "20Gi", "template", CloneMode.OVERLAY);

    VolumePlan plan = observe(volume).plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.PENDING);
    assertReady(plan, "False", "SourceNotFound");
    assertThat(condition(plan, VolumeConditions.SOURCE_READY))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
        .containsExactly("False", "SourceNotFound", "source Volume template does not exist");
    assertThat(plan.events())
        .containsExactly(
            PlannedEvent.normal("SourceNotFound", "source Volume template does not exist"));
  }

  @Test
  void aCloneWhoseSourceIsNotReadyIsPendingSourceNotReady() {
    Volume volume = clone("vm1-root", "20Gi", "template", CloneMode.COPY);
    Volume populating = populating(blank("template", "20Gi"));

    VolumePlan plan = observe(volume).withSource(populating).plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.PENDING);
    assertReady(plan, "False", "SourceNotReady");
    assertThat(condition(plan, VolumeConditions.SOURCE_READY))
        .extracting(Condition::getStatus, Condition::getReason)
        .containsExactly("False", "SourceNotReady");
  }

  @Test
  void aCloneOfAnOverlayCloneFailsWithSourceIsAnOverlay() {
    Volume volume = clone("vm1-root", "20Gi", "vm0-root", CloneMode.OVERLAY);
    Volume overlay =
        withStatus(
            clone("vm0-root", "20Gi", "template", CloneMode.OVERLAY), VolumePhase.READY, null);

    VolumePlan plan = observe(volume).withSource(overlay).plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.FAILED);
    assertReady(plan, "False", "SourceIsAnOverlay");
    assertThat(plan.events())
        .extracting(PlannedEvent::warning, PlannedEvent::reason)
        .containsExactly(tuple(true, "SourceIsAnOverlay"));
  }

  @Test
  void anOverlayCloneSmallerThanItsSourceFailsWithTooSmall() {
    Volume volume = clone("vm1-root", "10Gi", "template", CloneMode.OVERLAY);

    VolumePlan plan = observe(volume).withSource(readySource("template", "20Gi")).plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.FAILED);
    assertReady(plan, "False", "TooSmall");
    assertThat(condition(plan, VolumeConditions.READY).getMessage()).contains("(20Gi)");
    assertThat(VolumePlanner.FINAL_FAILURES).doesNotContain("TooSmall");
  }

  @Test
  void aCopyCloneGetsAJobThatMountsTheSourcesClaimReadOnly() {
    Volume volume = clone("vm1-root", "20Gi", "template", CloneMode.COPY);

    VolumePlan plan =
        observe(volume).withClaim().withSource(readySource("template", "20Gi")).plan();

    PopulateJob.CopySource copy =
        new PopulateJob.CopySource(
            "template", "template-disk", VolumeStatus.DEFAULT_IMAGE_PATH, "qcow2");
    assertThat(plan.actions())
        .containsExactly(new VolumeAction.CreateJob(PopulateJob.desired(volume, copy, settings)));
    PodSpec pod = createdJob(plan).getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .extracting(
            v -> v.getPersistentVolumeClaim().getClaimName(),
            v -> v.getPersistentVolumeClaim().getReadOnly())
        .containsExactlyInAnyOrder(tuple("vm1-root-disk", false), tuple("template-disk", true));
    String sourceVolume =
        pod.getVolumes().stream()
            .filter(v -> v.getPersistentVolumeClaim() != null)
            .filter(v -> "template-disk".equals(v.getPersistentVolumeClaim().getClaimName()))
            .findFirst()
            .orElseThrow()
            .getName();
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .filteredOn(m -> sourceVolume.equals(m.getName()))
        .singleElement()
        .extracting(VolumeMount::getMountPath, VolumeMount::getReadOnly)
        .containsExactly(PopulateLayout.sourceMount("template").toString(), true);
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.POPULATING);
    assertThat(plan.status().backingVolume()).isNull();
  }

  /**
   * A copy clone is independent once written, and its source may be deleted (only overlay clones
   * hold it): the copy stays Ready, so its VMs still start (ReferenceResolver wants Ready).
   */
  @Test
  void aPopulatedCopyCloneStaysReadyWhenItsSourceIsDeleted() {
    Volume volume = populated(clone("vm1-root", "20Gi", "template", CloneMode.COPY), "20Gi");

    VolumePlan plan = observe(volume).withClaim().plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.READY);
    assertReady(plan, "True", "Ready");
  }

  // --- restores --------------------------------------------------------------------------------

  @Test
  void aSnapshotRestoreWaitsPendingUntilItIsSupported() {
    Volume volume =
        volume(
            "restored",
            "10Gi",
            new VolumeSource(null, null, null, new SnapshotRestoreSource("nightly", null)));

    VolumePlan plan = observe(volume).plan();

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(VolumePhase.PENDING);
    assertReady(plan, "False", "SnapshotRestoreNotSupported");
    assertThat(condition(plan, VolumeConditions.READY).getMessage()).contains("Snapshot nightly");
    assertThat(plan.requeueAfter()).isEmpty();
  }
}
