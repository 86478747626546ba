package io.fastvm.operator.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.contract.PodLayout;
import io.fastvm.contract.volume.PopulateLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a VM pod's container locally, as the kubelet would, for the contract test between operator
 * and launcher. The mapping:
 *
 * <ul>
 *   <li>each volumeMount → a folder under {@code root} named after the mount path;
 *   <li>downwardAPI volume → its files, written from the pod's own annotations and labels;
 *   <li>emptyDir → an empty folder;
 *   <li>persistentVolumeClaim → the files the test provides for that claim (e.g. a test guest's
 *       disk image as {@code disk.img}), copied in;
 *   <li>secret → the files the test provides for that Secret (e.g. a rendered NoCloud seed), or the
 *       Secret's data in the API server;
 *   <li>the console endpoint's port 5900 → a free port on 127.0.0.1 ({@code --console-listen});
 *   <li>{@code /dev/termination-log} → {@code root/termination-log};
 *   <li>the command {@link PodLayout#LAUNCHER_COMMAND} → {@code java -cp <test classpath> <launcher
 *       main class>}; every container path in the arguments is rewritten to its folder.
 * </ul>
 */
public final class PodExecution {
  private final Map<String, Path> mounts = new LinkedHashMap<>();
  private final Path terminationLog;
  private final List<String> args;

  private PodExecution(Map<String, Path> mounts, Path terminationLog, List<String> args) {
    this.mounts.putAll(mounts);
    this.terminationLog = terminationLog;
    this.args = args;
  }

  /**
   * Lays out the pod's volumes under {@code root}.
   *
   * @param claims files to put in each PVC, by claim name, then by file name
   * @param secrets files of each Secret, by Secret name, then by key
   */
  public static PodExecution prepare(
      Pod pod,
      Path root,
      Map<String, Map<String, Path>> claims,
      Map<String, Map<String, String>> secrets)
      throws IOException {
    return prepare(pod, root, claims, secrets, null);
  }

  /**
   * Like {@link #prepare(Pod, Path, Map, Map)}; Secrets the test does not provide are read from the
   * (mock) API server, as the kubelet would. The console endpoint's port ({@link
   * PodLayout#CONSOLE_PORT} on every address of the pod) becomes a free port on 127.0.0.1.
   */
  public static PodExecution prepare(
      Pod pod,
      Path root,
      Map<String, Map<String, Path>> claims,
      Map<String, Map<String, String>> secrets,
      KubernetesClient client)
      throws IOException {
    return prepare(pod, root, claims, secrets, client, null);
  }

  /**
   * The pod of a kernel-boot VM on the Volumes of {@link TestVms#createKernelBootVolumes}, with
   * {@code guest}'s kernel and initrd in their claims.
   */
  public static PodExecution kernelBoot(
      Pod pod, Path root, io.fastvm.node.guest.GuestImage guest, KubernetesClient client)
      throws IOException {
    return prepare(
        pod,
        root,
        Map.of(
            "kernel-pvc", Map.of("disk.img", guest.kernel()),
            "initrd-pvc", Map.of("disk.img", guest.initrd())),
        Map.of(),
        client);
  }

  /**
   * Like {@link #prepare(Pod, Path, Map, Map, KubernetesClient)}, with every PVC a folder of {@code
   * storage} named after the claim and kept across pods, as a node's storage is: what a populate
   * Job writes there, a VM pod later finds.
   */
  public static PodExecution onStorage(Pod pod, Path root, Path storage, KubernetesClient client)
      throws IOException {
    return prepare(pod, root, Map.of(), Map.of(), client, storage);
  }

  private static PodExecution prepare(
      Pod pod,
      Path root,
      Map<String, Map<String, Path>> claims,
      Map<String, Map<String, String>> secrets,
      KubernetesClient client,
      Path storage)
      throws IOException {
    Container container = pod.getSpec().getContainers().get(0);
    if (!List.of(PodLayout.LAUNCHER_COMMAND).equals(container.getCommand())
        && !List.of(PopulateLayout.POPULATE_COMMAND).equals(container.getCommand())) {
      throw new IllegalArgumentException(
          "neither a launcher nor a populate pod: " + container.getCommand());
    }
    Map<String, Volume> volumes = new LinkedHashMap<>();
    for (Volume v : pod.getSpec().getVolumes()) {
      volumes.put(v.getName(), v);
    }
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (VolumeMount mount : container.getVolumeMounts()) {
      Volume volume = volumes.get(mount.getName());
      if (storage != null && volume.getPersistentVolumeClaim() != null) {
        // The node's storage: one folder per claim, the same for every pod that mounts it.
        mounts.put(
            mount.getMountPath(),
            Files.createDirectories(
                storage.resolve(volume.getPersistentVolumeClaim().getClaimName())));
        continue;
      }
      Path dir =
          Files.createDirectories(
              root.resolve(mount.getMountPath().substring(1).replace('/', '_')));
      mounts.put(mount.getMountPath(), dir);
      if (volume.getDownwardAPI() != null) {
        for (DownwardAPIVolumeFile item : volume.getDownwardAPI().getItems()) {
          Files.writeString(
              dir.resolve(item.getPath()), fieldValue(pod, item.getFieldRef().getFieldPath()));
        }
      } else if (volume.getPersistentVolumeClaim() != null) {
        String claim = volume.getPersistentVolumeClaim().getClaimName();
        for (var file : claims.getOrDefault(claim, Map.of()).entrySet()) {
          Files.copy(
              file.getValue(), dir.resolve(file.getKey()), StandardCopyOption.REPLACE_EXISTING);
        }
      } else if (volume.getSecret() != null) {
        String secretName = volume.getSecret().getSecretName();
        Map<String, String> data = secrets.get(secretName);
        if (data == null && client != null) {
          data = fromApi(client, pod.getMetadata().getNamespace(), secretName);
        }
        for (var key : (data == null ? Map.<String, String>of() : data).entrySet()) {
          Files.writeString(dir.resolve(key.getKey()), key.getValue());
        }
      } else if (volume.getEmptyDir() == null) {
        throw new IllegalArgumentException("unexpected volume type in " + volume);
      }
    }
    Path terminationLog = root.resolve("termination-log");
    Files.writeString(terminationLog, "");
    // Longest mount paths first, so /var/lib/fastvm/volumes/x wins over a shorter prefix.
    List<String> byLength = new ArrayList<>(mounts.keySet());
    byLength.sort(Comparator.comparingInt(String::length).reversed());
    List<String> args = new ArrayList<>();
    for (String arg : container.getArgs()) {
      String mapped = arg.replace(PodLayout.TERMINATION_LOG.toString(), terminationLog.toString());
      // An argument already mapped to this host's folders must not be mapped twice (/tmp).
      for (String path : mapped.equals(arg) ? byLength : List.<String>of()) {
        if (mapped.contains("=" + path)) {
          mapped = mapped.replace("=" + path, "=" + mounts.get(path));
          break;
        }
      }
      args.add(mapped);
    }
    if (args.stream().anyMatch(a -> a.startsWith("--console-tls="))) {
      // Port 0: the launcher binds a free port and logs it (LauncherProcess.awaitConsolePort).
      args.add("--console-listen=127.0.0.1:0");
    }
    return new PodExecution(mounts, terminationLog, args);
  }

  private static Map<String, String> fromApi(
      KubernetesClient client, String namespace, String name) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null || secret.getData() == null) {
      return null;
    }
    Map<String, String> data = new LinkedHashMap<>();
    secret
        .getData()
        .forEach(
            (k, v) ->
                data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return data;
  }

  /** The folder standing for a mount path of the pod, e.g. {@link PodLayout#RUNTIME_DIR}. */
  public Path dir(Path mountPath) {
    return mounts.get(mountPath.toString());
  }

  public Path terminationLog() {
    return terminationLog;
  }

  /** The container's arguments with every path mapped. */
  public List<String> args() {
    return args;
  }

  /**
   * {@code java -cp <this JVM's classpath> <main> <args>}: the pod's command (the launcher's, or
   * the populator's), run locally.
   */
  public ProcessBuilder command(String launcherMainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), launcherMainClass));
    command.addAll(args);
    return new ProcessBuilder(command);
  }

  private static final Pattern ANNOTATION = Pattern.compile("metadata\\.annotations\\['(.+)'\\]");
  private static final Pattern LABEL = Pattern.compile("metadata\\.labels\\['(.+)'\\]");

  private static String fieldValue(Pod pod, String fieldPath) {
    Matcher a = ANNOTATION.matcher(fieldPath);
    if (a.matches()) {
      return pod.getMetadata().getAnnotations().getOrDefault(a.group(1), "");
    }
    Matcher l = LABEL.matcher(fieldPath);
    if (l.matches()) {
      return pod.getMetadata().getLabels().getOrDefault(l.group(1), "");
    }
    return switch (fieldPath) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      default -> throw new IllegalArgumentException("unsupported fieldRef " + fieldPath);
    };
  }
}
