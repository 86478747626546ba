package io.fastvm.operator.volume;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.vm.ReferenceResolver;
import io.fastvm.operator.vm.VmMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The informers a Volume reconcile reads: its PVC and populate Job (owned by it), the Job's pods
 * (by the Volume's name in an annotation: they are owned by the Job), the VMs that refer to it, and
 * the other Volumes, of which the overlay clones point at their source.
 */
public record VolumeEventSources(
    InformerEventSource<PersistentVolumeClaim, Volume> claims,
    InformerEventSource<Job, Volume> jobs,
    InformerEventSource<Pod, Volume> jobPods,
    InformerEventSource<VirtualMachine, Volume> users,
    InformerEventSource<Volume, Volume> volumes) {

  /** On the populate Job's pods: which Volume (name, namespace) they write. */
  public static final String VOLUME_NAME_ANNOTATION = "fastvm.io/volume-name";

  public static final String VOLUME_NAMESPACE_ANNOTATION = "fastvm.io/volume-namespace";

  public List<EventSource<?, Volume>> all() {
    return List.of(claims, jobs, jobPods, users, volumes);
  }

  static VolumeEventSources create(EventSourceContext<Volume> context) {
    return new VolumeEventSources(
        owned(PersistentVolumeClaim.class, "volume-claims", "disk", context),
        owned(Job.class, "populate-jobs", "populate", context),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, Volume.class)
                .withName("populate-pods")
                .withLabelSelector(selector("populate"))
                .withSecondaryToPrimaryMapper(VolumeEventSources::populatedVolume)
                .build(),
            context),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(VirtualMachine.class, Volume.class)
                .withName("volume-users")
                .withSecondaryToPrimaryMapper(
                    (VirtualMachine vm) ->
                        ReferenceResolver.referencedVolumes(vm.getSpec()).stream()
                            .map(name -> new ResourceID(name, vm.getMetadata().getNamespace()))
                            .collect(Collectors.toSet()))
                .build(),
            context),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Volume.class, Volume.class)
                .withName("clone-sources")
                .withSecondaryToPrimaryMapper(clonesAndSource(context))
                .build(),
            context));
  }

  private static final String BY_SOURCE = "fastvm-clone-source";

  /**
   * A Volume's change concerns its source (which counts its overlay clones) and its clones (which
   * wait for it to be Ready).
   */
  private static SecondaryToPrimaryMapper<Volume> clonesAndSource(
      EventSourceContext<Volume> context) {
    IndexerResourceCache<Volume> volumes = context.getPrimaryCache();
    volumes.addIndexer(
        BY_SOURCE, v -> sourceOf(v).map(source -> List.of(source.toString())).orElse(List.of()));
    return volume -> {
      Set<ResourceID> concerned = new java.util.HashSet<>();
      sourceOf(volume).ifPresent(concerned::add);
      volumes.byIndex(BY_SOURCE, ResourceID.fromResource(volume).toString()).stream()
          .map(ResourceID::fromResource)
          .forEach(concerned::add);
      return concerned;
    };
  }

  private static java.util.Optional<ResourceID> sourceOf(Volume volume) {
    if (volume.getSpec() == null
        || volume.getSpec().source() == null
        || volume.getSpec().source().volume() == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        new ResourceID(
            volume.getSpec().source().volume().name(), volume.getMetadata().getNamespace()));
  }

  /** A populate pod names its Volume in annotations (a Job's pod is owned by the Job). */
  private static Set<ResourceID> populatedVolume(Pod pod) {
    java.util.Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String name = annotations == null ? null : annotations.get(VOLUME_NAME_ANNOTATION);
    if (name == null) {
      return Set.of();
    }
    String namespace = annotations.get(VOLUME_NAMESPACE_ANNOTATION);
    return Set.of(
        new ResourceID(name, namespace != null ? namespace : pod.getMetadata().getNamespace()));
  }

  private static String selector(String component) {
    return VmMetadata.MANAGED_SELECTOR + "," + VmMetadata.COMPONENT_LABEL + "=" + component;
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      InformerEventSource<R, Volume> owned(
          Class<R> type, String name, String component, EventSourceContext<Volume> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, Volume.class)
            .withName(name)
            .withLabelSelector(selector(component))
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Volume.class))
            .build(),
        context);
  }
}
