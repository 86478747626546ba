package io.fastvm.operator.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.api.v1alpha1.VolumePhase;
import io.fastvm.api.v1alpha1.VolumeStatus;
import io.fastvm.node.guest.DebianDisk;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.CloudGuest;
import io.fastvm.node.testing.CloudGuestConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@link CloudGuest} VM in a test cluster, the way the cluster tests boot it: the CloudInitConfig
 * and its password Secret, the guest's Volumes Ready as the Volume reconciler would leave them, the
 * VM; then its pod laid out for the real launcher ({@link PodExecution}) on a node storage folder
 * where the guest's images are linked in, not copied.
 */
public final class CloudGuestPod {
  private CloudGuestPod() {}

  /**
   * A VM booting {@code cmdline} from an overlay clone of the disk, with {@code init} on virtio.
   */
  public static String vm(String name, String namespace, String cmdline) {
    return """
        apiVersion: fastvm.io/v1alpha1
        kind: VirtualMachine
        metadata: {name: %s, namespace: %s}
        spec:
          runStrategy: RerunOnFailure
          accelerator: tcg
          memory: 768Mi
          kernelBoot: {kernel: kernel, initrd: initrd, cmdline: '%s'}
          disks: [{name: root, volume: root}]
          display: {type: none}
          networks: [{name: default, type: nat}]
          cloudInit: {name: %s}
        """
        .formatted(name, namespace, cmdline, CloudGuestConfig.CONFIG);
  }

  /** Creates the config, the Volumes and the VM in {@code namespace}, and returns the VM's pod. */
  public static Pod create(
      KubernetesClient client,
      String namespace,
      CloudGuestConfig config,
      DebianDisk disk,
      String vmYaml) {
    client.load(stream(config.yaml(namespace))).create();
    readyVolumes(client, namespace, disk);
    client.load(stream(vmYaml)).create();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> client.pods().inNamespace(namespace).list().getItems().size() == 1);
    return client.pods().inNamespace(namespace).list().getItems().get(0);
  }

  /** Lays out the pod's mounts under {@code dir}, with the guest's images as its Volumes'. */
  public static PodExecution prepare(
      Pod pod, Path dir, DebianDisk disk, GuestImage kernel, KubernetesClient client)
      throws IOException {
    Path storage = dir.resolve("storage");
    link(storage.resolve("kernel-pvc"), kernel.kernel());
    link(storage.resolve("initrd-pvc"), kernel.initrd());
    link(storage.resolve("template-pvc"), disk.image());
    Files.createDirectories(storage.resolve("root-pvc")); // the launcher makes the overlay
    return PodExecution.onStorage(pod, dir.resolve("pod"), storage, client);
  }

  /**
   * Kernel and initrd as raw files, the cached disk as the template, and root an overlay clone of
   * it, all Ready.
   */
  private static void readyVolumes(KubernetesClient client, String namespace, DebianDisk disk) {
    String size = Long.toString(disk.bytes());
    String yaml =
        """
        apiVersion: fastvm.io/v1alpha1
        kind: Volume
        metadata: {name: kernel, namespace: %1$s}
        spec: {size: 1Gi, format: raw, source: {blank: {}}}
        ---
        apiVersion: fastvm.io/v1alpha1
        kind: Volume
        metadata: {name: initrd, namespace: %1$s}
        spec: {size: 1Gi, format: raw, source: {blank: {}}}
        ---
        """
                .formatted(namespace)
            + CloudGuest.volumes(disk)
                .replace("metadata: {name: ", "metadata: {namespace: " + namespace + ", name: ");
    for (var object : client.load(stream(yaml)).items()) {
      Volume volume = client.getKubernetesSerialization().convertValue(object, Volume.class);
      String name = volume.getMetadata().getName();
      volume = client.resource(volume).create();
      boolean overlay = name.equals("root");
      volume.setStatus(
          new VolumeStatus(
              VolumePhase.READY,
              "100%",
              null,
              name + "-pvc",
              VolumeStatus.DEFAULT_IMAGE_PATH,
              overlay ? VolumeFormat.QCOW2 : VolumeFormat.RAW,
              name.equals("root") || name.equals("template") ? size : "1Gi",
              "1Mi",
              overlay ? "template" : null,
              null,
              1L));
      client.resource(volume).updateStatus();
    }
  }

  private static void link(Path claim, Path image) throws IOException {
    Files.createSymbolicLink(
        Files.createDirectories(claim).resolve(VolumeStatus.DEFAULT_IMAGE_PATH),
        image.toAbsolutePath());
  }

  private static ByteArrayInputStream stream(String yaml) {
    return new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
  }
}
