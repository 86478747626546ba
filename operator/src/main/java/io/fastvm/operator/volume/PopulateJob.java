package io.fastvm.operator.volume;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumeSpec;
import io.fastvm.api.v1alpha1.VolumeStatus;
import io.fastvm.contract.PodLayout;
import io.fastvm.contract.volume.PopulateExitCode;
import io.fastvm.contract.volume.PopulateInvocation;
import io.fastvm.contract.volume.PopulateLayout;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.vm.VmPod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Job that writes a Volume's image (an empty image, a download, a copy): one pod of the
 * node-agent image running {@code fastvm-populate}, as unprivileged as a VM pod (no service-account
 * token, no capabilities, read-only root filesystem). The populator retries transient errors
 * itself; the Job retries a pod that was lost (eviction, a node gone) and gives up at once on what
 * another try cannot fix (bad input, a checksum mismatch, a full PVC).
 */
public final class PopulateJob {
  private PopulateJob() {}

  public static final String CONTAINER = "populate";
  private static final String DISK = "disk";
  private static final String SOURCE = "source";
  private static final String TMP = "tmp";

  /** What the Job copies from, for a full clone: the source Volume's PVC and image. */
  public record CopySource(String volume, String claimName, String imagePath, String format) {}

  public static Job desired(Volume volume, CopySource copy, OperatorSettings settings) {
    String name = volume.getMetadata().getName();
    Path volumeDir = PodLayout.volumeMount(name);
    List<io.fabric8.kubernetes.api.model.Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName(DISK)
            .withNewPersistentVolumeClaim(VolumeNames.claim(volume), false)
            .build());
    mounts.add(mount(DISK, volumeDir, false));
    if (copy != null) {
      volumes.add(
          new VolumeBuilder()
              .withName(SOURCE)
              .withNewPersistentVolumeClaim(copy.claimName(), true)
              .build());
      mounts.add(mount(SOURCE, PopulateLayout.sourceMount(copy.volume()), true));
    }
    volumes.add(new VolumeBuilder().withName(TMP).withNewEmptyDir().endEmptyDir().build());
    mounts.add(mount(TMP, PodLayout.TMP_DIR, false));

    PopulateInvocation invocation =
        new PopulateInvocation(
            volumeDir,
            volume.getSpec().effectiveFormat().name().toLowerCase(java.util.Locale.ROOT),
            VolumeSizes.bytes(volume.getSpec().size()),
            source(volume.getSpec(), copy),
            PodLayout.TERMINATION_LOG);
    Map<String, String> labels = VolumeMetadata.labels(volume, "populate");
    return new JobBuilder()
        .withNewMetadata()
        .withName(VolumeNames.populateJob(volume))
        .withNamespace(volume.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(VolumeMetadata.controllerReference(volume))
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(3)
        .withNewPodFailurePolicy()
        .withRules(
            new PodFailurePolicyRuleBuilder()
                .withAction("FailJob")
                .withNewOnExitCodes()
                .withContainerName(CONTAINER)
                .withOperator("In")
                .withValues(PopulateExitCode.PERMANENT, PopulateExitCode.NO_SPACE)
                .endOnExitCodes()
                .build())
        .endPodFailurePolicy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(
            Map.of(
                VolumeEventSources.VOLUME_NAME_ANNOTATION,
                name,
                VolumeEventSources.VOLUME_NAMESPACE_ANNOTATION,
                volume.getMetadata().getNamespace()))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(VmPod.QEMU_UID)
        .withRunAsGroup(VmPod.QEMU_UID)
        .withFsGroup(VmPod.QEMU_UID)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addToContainers(
            new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(settings.image())
                .withImagePullPolicy(settings.imagePullPolicy())
                .withCommand(PopulateLayout.POPULATE_COMMAND)
                .withArgs(invocation.toArgs())
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("192Mi")))
                .withLimits(Map.of("memory", new Quantity("512Mi")))
                .endResources()
                .withNewSecurityContext()
                .withPrivileged(false)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .withTerminationMessagePath(PodLayout.TERMINATION_LOG.toString())
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withVolumeMounts(mounts)
                .build())
        .withVolumes(volumes)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static PopulateInvocation.Source source(VolumeSpec spec, CopySource copy) {
    var source = spec.source();
    if (source.http() != null) {
      return new PopulateInvocation.Http(source.http().url(), source.http().sha256());
    }
    if (copy != null) {
      return new PopulateInvocation.Copy(
          PopulateLayout.sourceMount(copy.volume()).resolve(imageFile(copy.imagePath())),
          copy.format());
    }
    return new PopulateInvocation.Blank();
  }

  private static String imageFile(String imagePath) {
    return imagePath == null || imagePath.isBlank() ? VolumeStatus.DEFAULT_IMAGE_PATH : imagePath;
  }

  private static VolumeMount mount(String name, Path path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path.toString())
        .withReadOnly(readOnly)
        .build();
  }
}
