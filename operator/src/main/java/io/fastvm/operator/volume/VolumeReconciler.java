package io.fastvm.operator.volume;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumeStatus;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.events.EventPosting;
import io.fastvm.operator.events.EventRecorder;
import io.fastvm.operator.status.PlannedEvent;
import io.fastvm.operator.status.StatusWrite;
import io.fastvm.operator.vm.VmJson;
import io.fastvm.operator.vm.VmMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reconciles a Volume: observes its PVC, populate Job and pod, its source and its users; lets
 * {@link VolumePlanner} decide; creates, grows and deletes; merge-patches the status (guarded by
 * the observed resourceVersion, as the VM reconciler does) and posts events. As a {@link Cleaner}
 * it holds the Volume's deletion while VMs use it or overlay clones are backed by it.
 */
@ControllerConfiguration(
    name = VolumeReconciler.NAME,
    finalizerName = VolumeMetadata.PROTECTION_FINALIZER)
public class VolumeReconciler implements Reconciler<Volume>, Cleaner<Volume>, EventPosting {
  public static final String NAME = "volume";
  private static final Duration DELETION_RECHECK = Duration.ofSeconds(30);

  private final OperatorSettings settings;
  private final Clock clock;
  private volatile VolumeEventSources sources;
  private volatile EventRecorder events;

  @Inject
  public VolumeReconciler(OperatorSettings settings) {
    this(settings, Clock.systemUTC());
  }

  public VolumeReconciler(OperatorSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, Volume>> prepareEventSources(EventSourceContext<Volume> context) {
    sources = VolumeEventSources.create(context);
    events = new EventRecorder(context.getClient(), "fastvm-operator", clock);
    return sources.all();
  }

  @Override
  public UpdateControl<Volume> reconcile(Volume volume, Context<Volume> context) {
    VolumeObserved observed = observe(volume, context);
    VolumePlan plan = VolumePlanner.plan(observed, settings);
    KubernetesClient client = context.getClient();
    for (VolumeAction action : plan.actions()) {
      apply(volume, action, client);
    }
    StatusWrite.write(client, volume, plan.status());
    for (PlannedEvent event : plan.events()) {
      events.record(volume, event.warning(), event.reason(), event.message());
    }
    return plan.requeueAfter()
        .map(d -> UpdateControl.<Volume>noUpdate().rescheduleAfter(d))
        .orElseGet(UpdateControl::noUpdate);
  }

  /** Lets the Volume go only once no VM refers to it and no overlay clone is backed by it. */
  @Override
  public DeleteControl cleanup(Volume volume, Context<Volume> context) {
    VolumeObserved observed = observe(volume, context);
    Optional<String> blocked = VolumeDeletion.blockedBy(observed);
    if (blocked.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    VolumeStatus status = VolumeDeletion.blockedStatus(observed, blocked.get());
    StatusWrite.write(context.getClient(), volume, status);
    events.record(volume, true, "DeletionBlocked", blocked.get());
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(DELETION_RECHECK.toMillis());
  }

  private VolumeObserved observe(Volume volume, Context<Volume> context) {
    String namespace = volume.getMetadata().getNamespace();
    Optional<PersistentVolumeClaim> claim =
        sources
            .claims()
            .get(new ResourceID(VolumeNames.claim(volume), namespace))
            .filter(c -> VmMetadata.controlledBy(c, volume));
    Optional<Job> job =
        sources
            .jobs()
            .get(new ResourceID(VolumeNames.populateJob(volume), namespace))
            .filter(j -> VmMetadata.controlledBy(j, volume));
    Optional<Pod> pod =
        context.getSecondaryResources(Pod.class).stream()
            .filter(p -> job.map(j -> ownedBy(p, j)).orElse(false))
            .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()));
    Optional<String> progress =
        pod.filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
            .flatMap(p -> lastLogLine(context.getClient(), p));
    Optional<Volume> source =
        volume.getSpec().source().volume() == null
            ? Optional.empty()
            : sources
                .volumes()
                .get(new ResourceID(volume.getSpec().source().volume().name(), namespace));
    List<String> users =
        context.getSecondaryResources(VirtualMachine.class).stream()
            .map(vm -> vm.getMetadata().getName())
            .sorted()
            .toList();
    List<String> clones =
        context.getSecondaryResources(Volume.class).stream()
            .filter(VolumePlanner::overlay)
            .filter(
                v -> v.getSpec().source().volume().name().equals(volume.getMetadata().getName()))
            .map(v -> v.getMetadata().getName())
            .sorted()
            .toList();
    return new VolumeObserved(
        volume, claim, job, pod, progress, source, users, clones, clock.instant());
  }

  private static boolean ownedBy(HasMetadata object, Job job) {
    return object.getMetadata().getOwnerReferences().stream()
        .anyMatch(r -> job.getMetadata().getUid().equals(r.getUid()));
  }

  /** The populator prints its progress; reading the log needs the kubelet, so it may fail. */
  private static Optional<String> lastLogLine(KubernetesClient client, Pod pod) {
    try {
      String log =
          client
              .pods()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getMetadata().getName())
              .inContainer(PopulateJob.CONTAINER)
              .tailingLines(5)
              .getLog();
      if (log == null) {
        return Optional.empty();
      }
      List<String> lines = log.lines().filter(l -> l.startsWith("progress ")).toList();
      return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(lines.size() - 1));
    } catch (KubernetesClientException e) {
      return Optional.empty();
    }
  }

  private void apply(Volume volume, VolumeAction action, KubernetesClient client) {
    String namespace = volume.getMetadata().getNamespace();
    switch (action) {
      case VolumeAction.CreateClaim create ->
          createIfAbsent(
              client.persistentVolumeClaims().inNamespace(namespace).resource(create.claim()));
      case VolumeAction.GrowClaim grow -> growClaim(volume, grow, client);
      case VolumeAction.CreateJob create ->
          createIfAbsent(client.batch().v1().jobs().inNamespace(namespace).resource(create.job()));
      case VolumeAction.DeleteJob delete ->
          client
              .batch()
              .v1()
              .jobs()
              .inNamespace(namespace)
              .withName(delete.name())
              .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
              .delete();
    }
  }

  /**
   * Asks the PVC for more storage. The API server refuses it for a claim that is not bound yet, or
   * whose storage class does not allow expansion: that is reported, not retried in a loop.
   */
  private void growClaim(Volume volume, VolumeAction.GrowClaim grow, KubernetesClient client) {
    try {
      client
          .persistentVolumeClaims()
          .inNamespace(volume.getMetadata().getNamespace())
          .withName(grow.name())
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              VmJson.json(
                  Map.of(
                      "spec",
                      Map.of(
                          "resources",
                          Map.of("requests", Map.of("storage", grow.size().toString()))))));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 422 && e.getCode() != 403) {
        throw e;
      }
      events.record(
          volume,
          true,
          "ClaimNotResized",
          "PVC "
              + grow.name()
              + " was not grown to "
              + grow.size()
              + " (it must be bound and its storage class must allow volume expansion): "
              + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** AlreadyExists is an earlier attempt's object (found by owner on the next reconcile). */
  private static <T extends HasMetadata> void createIfAbsent(
      io.fabric8.kubernetes.client.dsl.Resource<T> resource) {
    try {
      resource.create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      T found = resource.get();
      if (found != null && found.getMetadata().getOwnerReferences().isEmpty()) {
        throw new KubernetesClientException(
            found.getKind()
                + " "
                + found.getMetadata().getName()
                + " exists but does not belong to this Volume; delete or rename it",
            409,
            null);
      }
    }
  }

  @Override
  public EventRecorder eventRecorder() {
    return events;
  }
}
