package io.fastvm.operator.vm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.NetworkType;
import io.fastvm.api.v1alpha1.Port;
import io.fastvm.api.v1alpha1.PortProtocol;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.PodLayout;
import io.fastvm.contract.PodTaps;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.operator.config.OperatorSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pod that runs a VM, as a pure function of the VM, its resolved references and the operator
 * settings. See docs/operator.md for why each field is what it is.
 */
public final class VmPod {
  private VmPod() {}

  /** Name of the one container: the launcher, which supervises QEMU (and swtpm). */
  public static final String CONTAINER = "vm";

  /**
   * Readiness: the launcher's {@code ready} file in the runtime dir, written once QEMU answers QMP
   * and removed as soon as the VM is asked to stop.
   */
  public static final Path READY_FILE = PodLayout.RUNTIME_DIR.resolve(RuntimeDir.READY_FILE);

  /** Name of the container port of the console endpoint (mutual TLS, for the console-proxy). */
  public static final String CONSOLE_PORT_NAME = "console";

  /** The qemu user of Debian's packages: fixed, so PVC images stay owned by the same id. */
  public static final long QEMU_UID = 107;

  static final String MANIFESTS_VOLUME = "manifests";
  static final String RUNTIME_VOLUME = PodLayout.RUNTIME_VOLUME;
  static final String TMP_VOLUME = "tmp";
  static final String STATE_VOLUME = "state";
  static final String CLOUD_INIT_VOLUME = "cloud-init";
  static final String CONSOLE_TLS_VOLUME = "console-tls";

  /**
   * Everything a VM pod is made from.
   *
   * @param vm the VM as it is now
   * @param references its resolved Volumes and cloud-init Secret (complete)
   * @param volumes the Volume objects, for the manifest
   * @param cloudInit the CloudInitConfig, for the manifest
   * @param run the run number, which names the pod
   * @param failureCount consecutive failures before this run
   * @param restartRequest the restart request value this run answers, if any
   * @param settings the operator's settings
   */
  public record Inputs(
      VirtualMachine vm,
      ResolvedReferences references,
      List<Volume> volumes,
      Optional<CloudInitConfig> cloudInit,
      long run,
      int failureCount,
      Optional<String> restartRequest,
      OperatorSettings settings) {}

  private static Map<String, String> podLabels(VirtualMachine vm, List<Volume> volumes) {
    Map<String, String> labels = VmMetadata.labels(vm, "vm");
    labels.putAll(CloneBaseAffinity.labels(volumes));
    return labels;
  }

  public static Pod build(Inputs in) {
    VirtualMachine vm = in.vm();
    VirtualMachineSpec spec = vm.getSpec();
    OperatorSettings settings = in.settings();
    PodVolumes volumes = volumes(in);
    LauncherInvocation invocation =
        invocation(volumes.imagePaths(), in.references().cloudInitSecret());

    return new PodBuilder()
        .withNewMetadata()
        .withName(VmNames.pod(vm, in.run()))
        .withNamespace(vm.getMetadata().getNamespace())
        .withLabels(podLabels(vm, in.volumes()))
        .withAnnotations(annotations(in))
        .withOwnerReferences(VmMetadata.controllerReference(vm))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withTerminationGracePeriodSeconds(
            spec.gracePeriodSeconds() + settings.gracePeriodMarginSeconds())
        .withNodeSelector(spec.nodeSelector())
        .withAffinity(CloneBaseAffinity.affinity(spec.affinity(), in.volumes()))
        .withTolerations(spec.tolerations())
        .withPriorityClassName(spec.priorityClassName())
        .withSecurityContext(podSecurityContext(spec))
        .addToContainers(container(spec, settings, invocation, volumes.mounts()))
        .withVolumes(volumes.volumes())
        .endSpec()
        .build();
  }

  private static Map<String, String> annotations(Inputs in) {
    VirtualMachine vm = in.vm();
    VirtualMachineSpec spec = vm.getSpec();
    Map<String, String> annotations = new LinkedHashMap<>();
    // With the rendered seed mounted from its Secret the launcher needs no CloudInitConfig; its
    // raw userData may hold what people who can read pods should not see.
    Optional<CloudInitConfig> cloudInitInManifest =
        in.references().cloudInitSecret().isPresent() ? Optional.empty() : in.cloudInit();
    annotations.put(
        VmMetadata.MANIFEST_ANNOTATION, VmManifest.render(vm, in.volumes(), cloudInitInManifest));
    annotations.put(VmMetadata.SPEC_HASH_ANNOTATION, SpecHash.of(spec));
    in.references()
        .cloudInitInstance()
        .ifPresent(instance -> annotations.put(VmSeed.INSTANCE_ANNOTATION, instance));
    annotations.put(VmMetadata.RUN_ANNOTATION, String.valueOf(in.run()));
    annotations.put(VmMetadata.VCPUS_ANNOTATION, String.valueOf(spec.effectiveCpu().vcpus()));
    annotations.put(VmMetadata.FAILURE_COUNT_ANNOTATION, String.valueOf(in.failureCount()));
    in.restartRequest().ifPresent(r -> annotations.put(VmMetadata.POD_RESTART_ANNOTATION, r));
    multusNetworks(vm).ifPresent(n -> annotations.put(VmMetadata.MULTUS_NETWORKS_ANNOTATION, n));
    List<Integer> bridges = bridgeNics(vm.getSpec());
    if (!bridges.isEmpty()) {
      annotations.put(PodTaps.BRIDGE_NICS_ANNOTATION, PodTaps.format(bridges));
    }
    return annotations;
  }

  /**
   * The pod's volumes, the container's mounts of them (in the same order), and the path of each VM
   * Volume's image in the container, by Volume name.
   */
  private record PodVolumes(
      List<io.fabric8.kubernetes.api.model.Volume> volumes,
      List<VolumeMount> mounts,
      Map<String, Path> imagePaths) {

    void add(io.fabric8.kubernetes.api.model.Volume volume, VolumeMount mount) {
      volumes.add(volume);
      mounts.add(mount);
    }
  }

  private static PodVolumes volumes(Inputs in) {
    PodVolumes volumes =
        new PodVolumes(new ArrayList<>(), new ArrayList<>(), new LinkedHashMap<>());
    addLauncherDirs(volumes, in.vm());
    addDisks(volumes, in.references());
    addSecrets(volumes, in.vm(), in.references().cloudInitSecret());
    return volumes;
  }

  /** The launcher's manifests, runtime, tmp and state directories. */
  private static void addLauncherDirs(PodVolumes volumes, VirtualMachine vm) {
    // The VM description, projected from the pod's own annotation by the downward API: no extra
    // object to create, clean up or keep in sync, and it can never disagree with the pod.
    volumes.add(
        new VolumeBuilder()
            .withName(MANIFESTS_VOLUME)
            .withNewDownwardAPI()
            .addNewItem()
            .withPath(PodLayout.MANIFESTS_KEY)
            .withNewFieldRef()
            .withFieldPath("metadata.annotations['" + VmMetadata.MANIFEST_ANNOTATION + "']")
            .endFieldRef()
            .endItem()
            .endDownwardAPI()
            .build(),
        mount(MANIFESTS_VOLUME, PodLayout.MANIFESTS_DIR, true));

    volumes.add(emptyDir(RUNTIME_VOLUME), mount(RUNTIME_VOLUME, PodLayout.RUNTIME_DIR, false));
    volumes.add(emptyDir(TMP_VOLUME), mount(TMP_VOLUME, PodLayout.TMP_DIR, false));

    io.fabric8.kubernetes.api.model.Volume state;
    if (VmStateClaim.needed(vm.getSpec())) {
      state =
          new VolumeBuilder()
              .withName(STATE_VOLUME)
              .withNewPersistentVolumeClaim(VmNames.statePvc(vm), false)
              .build();
    } else {
      // Nothing to keep (BIOS, no TPM), but the launcher still gets a writable state dir.
      state = emptyDir(STATE_VOLUME);
    }
    volumes.add(state, mount(STATE_VOLUME, PodLayout.STATE_DIR, false));
  }

  /** The PVC of each VM Volume, and where the launcher finds its image. */
  private static void addDisks(PodVolumes volumes, ResolvedReferences references) {
    int index = 0;
    for (VolumeUse use : references.volumes().values()) {
      String podVolume = "volume-" + index++;
      Path mountPath = PodLayout.volumeMount(use.volume());
      volumes.add(
          new VolumeBuilder()
              .withName(podVolume)
              .withNewPersistentVolumeClaim(use.claimName(), use.readOnly())
              .build(),
          mount(podVolume, mountPath, use.readOnly()));
      volumes.imagePaths().put(use.volume(), mountPath.resolve(use.imagePath()));
    }
  }

  /** The cloud-init seed, if the VM has one, and the console endpoint's TLS files. */
  private static void addSecrets(
      PodVolumes volumes, VirtualMachine vm, Optional<String> seedSecret) {
    seedSecret.ifPresent(
        secret ->
            volumes.add(
                secretVolume(CLOUD_INIT_VOLUME, secret),
                mount(CLOUD_INIT_VOLUME, PodLayout.CLOUD_INIT_DIR, true)));

    // The console endpoint's certificate (naming this VM) and the console CA; the operator keeps
    // the Secret valid and the launcher re-reads the files when the kubelet updates them.
    volumes.add(
        secretVolume(CONSOLE_TLS_VOLUME, VmNames.consoleTlsSecret(vm)),
        mount(CONSOLE_TLS_VOLUME, PodLayout.CONSOLE_TLS_DIR, true));
  }

  private static LauncherInvocation invocation(
      Map<String, Path> imagePaths, Optional<String> seedSecret) {
    return new LauncherInvocation(
        List.of(PodLayout.MANIFESTS_DIR.resolve(PodLayout.MANIFESTS_KEY)),
        imagePaths,
        seedSecret.isPresent() ? PodLayout.CLOUD_INIT_DIR : null,
        PodLayout.STATE_DIR,
        PodLayout.RUNTIME_DIR,
        // Forwarded ports must be reachable on the pod IP, for the Service.
        "0.0.0.0",
        PodLayout.CONSOLE_TLS_DIR,
        PodLayout.TERMINATION_LOG);
  }

  private static PodSecurityContext podSecurityContext(VirtualMachineSpec spec) {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(QEMU_UID)
        .withRunAsGroup(QEMU_UID)
        .withFsGroup(QEMU_UID)
        // Large images: change ownership only when the volume root does not match already.
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .withSysctls(sysctls(spec))
        .build();
  }

  /** The launcher's container. */
  private static Container container(
      VirtualMachineSpec spec,
      OperatorSettings settings,
      LauncherInvocation invocation,
      List<VolumeMount> mounts) {
    Map<String, Quantity> requests = VmResources.requests(spec, settings);
    Map<String, Quantity> limits = VmResources.limits(spec, settings);
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(settings.image())
        .withImagePullPolicy(settings.imagePullPolicy())
        .withCommand(PodLayout.LAUNCHER_COMMAND)
        .withArgs(invocation.toArgs())
        .withPorts(containerPorts(spec))
        .withNewResources()
        .withRequests(requests)
        .withLimits(limits.isEmpty() ? null : limits)
        .endResources()
        .withNewSecurityContext()
        .withPrivileged(false)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withCapabilities(capabilities())
        .endSecurityContext()
        .withReadinessProbe(
            new ProbeBuilder()
                .withNewExec()
                .withCommand("test", "-f", READY_FILE.toString())
                .endExec()
                .withPeriodSeconds(2)
                .withTimeoutSeconds(5)
                // One slow exec on a busy node is not a VM that stopped answering.
                .withFailureThreshold(3)
                .build())
        .withTerminationMessagePath(PodLayout.TERMINATION_LOG.toString())
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withVolumeMounts(mounts)
        .build();
  }

  /**
   * No capabilities, whatever the networks: for bridge NICs the node agent makes the tap device in
   * the pod's network namespace and hands it to the qemu user, so QEMU only opens it.
   */
  static Capabilities capabilities() {
    return new CapabilitiesBuilder().withDrop("ALL").build();
  }

  /**
   * QEMU, running as the qemu user without capabilities, listens on the pod IP for each forwarded
   * port; one below 1024 (ssh on 22, http on 80) needs the pod's unprivileged port range lowered.
   * It is a namespaced sysctl that Kubernetes counts as safe (allowed by default since 1.22).
   */
  static List<Sysctl> sysctls(VirtualMachineSpec spec) {
    boolean lowPort =
        spec.networksOrEmpty().stream()
            .filter(n -> n.effectiveType() == NetworkType.NAT)
            .flatMap(n -> n.portsOrEmpty().stream())
            .anyMatch(p -> p.port() < 1024);
    return lowPort ? List.of(new Sysctl(UNPRIVILEGED_PORT_START, "0")) : List.of();
  }

  static final String UNPRIVILEGED_PORT_START = "net.ipv4.ip_unprivileged_port_start";

  static List<ContainerPort> containerPorts(VirtualMachineSpec spec) {
    List<ContainerPort> ports = new ArrayList<>();
    ports.add(
        new ContainerPortBuilder()
            .withName(CONSOLE_PORT_NAME)
            .withContainerPort(PodLayout.CONSOLE_PORT)
            .withProtocol("TCP")
            .build());
    for (Network network : spec.networksOrEmpty()) {
      if (network.effectiveType() != NetworkType.NAT) {
        continue;
      }
      for (Port port : network.portsOrEmpty()) {
        PortProtocol protocol = port.effectiveProtocol();
        ports.add(
            new ContainerPortBuilder()
                .withName(port.name())
                .withContainerPort(port.port())
                .withProtocol(protocol.name())
                .build());
      }
    }
    return ports;
  }

  /**
   * The Multus annotation for bridge and macvtap NICs. Each gets the pod interface {@link
   * PodTaps#podInterface} of its index in spec.networks, so the node agent can find it; macvtap
   * takes the NIC's MAC, since the guest uses the macvtap device's address.
   */
  static Optional<String> multusNetworks(VirtualMachine vm) {
    ArrayNode list = VmJson.JSON.createArrayNode();
    List<Network> networks = vm.getSpec().networksOrEmpty();
    for (int i = 0; i < networks.size(); i++) {
      Network network = networks.get(i);
      NetworkType type = network.effectiveType();
      if (!type.usesMultus() || network.networkAttachment() == null) {
        continue;
      }
      ObjectNode entry = list.addObject();
      String attachment = network.networkAttachment();
      int slash = attachment.indexOf('/');
      entry.put("name", slash < 0 ? attachment : attachment.substring(slash + 1));
      entry.put(
          "namespace",
          slash < 0 ? vm.getMetadata().getNamespace() : attachment.substring(0, slash));
      entry.put("interface", PodTaps.podInterface(i));
      if (type == NetworkType.MACVTAP) {
        entry.put("mac", VmPlanner.macOf(vm, network));
      }
    }
    return list.isEmpty() ? Optional.empty() : Optional.of(VmJson.json(list));
  }

  /** The indexes in spec.networks of the bridge NICs, which the node agent plumbs. */
  static List<Integer> bridgeNics(VirtualMachineSpec spec) {
    List<Network> networks = spec.networksOrEmpty();
    List<Integer> nics = new ArrayList<>();
    for (int i = 0; i < networks.size(); i++) {
      if (networks.get(i).effectiveType() == NetworkType.BRIDGE) {
        nics.add(i);
      }
    }
    return nics;
  }

  private static VolumeMount mount(String name, Path path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path.toString())
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }

  private static io.fabric8.kubernetes.api.model.Volume emptyDir(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }

  private static io.fabric8.kubernetes.api.model.Volume secretVolume(String name, String secret) {
    return new VolumeBuilder()
        .withName(name)
        .withNewSecret()
        .withSecretName(secret)
        .withDefaultMode(0440)
        .endSecret()
        .build();
  }
}
