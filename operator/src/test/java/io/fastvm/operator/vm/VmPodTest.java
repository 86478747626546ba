package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.validation.ManifestValidator;
import io.fastvm.contract.PodLayout;
import io.fastvm.contract.PodTaps;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.TestVms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class VmPodTest {

  private final OperatorSettings settings = OperatorSettings.defaults();

  private Pod render(VirtualMachine vm, Volume... volumes) {
    Map<String, Volume> byName =
        java.util.Arrays.stream(volumes)
            .collect(Collectors.toMap(v -> v.getMetadata().getName(), v -> v));
    CloudInitConfig init = TestVms.cloudInit("init");
    init.setStatus(TestVms.readyCloudInit("init-seed"));
    ResolvedReferences refs = ReferenceResolver.resolve(vm.getSpec(), byName, Optional.of(init));
    assertThat(refs.complete()).isTrue();
    return VmPod.build(
        new VmPod.Inputs(
            vm,
            refs,
            List.of(volumes),
            vm.getSpec().cloudInit() == null ? Optional.empty() : Optional.of(init),
            3,
            0,
            Optional.empty(),
            settings));
  }

  private VirtualMachine full() {
    return TestVms.vm(
        "debian",
        TestVms.spec()
            .memory("2Gi")
            .cpus(2)
            .disk("root", "debian-root")
            .cdrom("install", "debian-iso")
            .uefiWithTpm()
            .cloudInit("init")
            .natWithSsh()
            .nodeSelector(Map.of("fastvm.io/kvm", "true"))
            .build());
  }

  @Test
  void podRunsTheLauncherWithTheContractsArgumentsAndMounts() throws Exception {
    VirtualMachine vm = full();
    Pod pod = render(vm, TestVms.readyVolume("debian-root"), TestVms.readyVolume("debian-iso"));
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/sample-vm-pod.yaml"), Serialization.asYaml(pod));

    Container c = pod.getSpec().getContainers().get(0);
    assertThat(c.getCommand()).containsExactly(PodLayout.LAUNCHER_COMMAND);
    assertThat(c.getArgs())
        .containsExactly(
            "--manifest=/etc/fastvm/manifests/vm.yaml",
            "--volume=debian-iso=/var/lib/fastvm/volumes/debian-iso/disk.img",
            "--volume=debian-root=/var/lib/fastvm/volumes/debian-root/disk.img",
            "--cloud-init-seed=/etc/fastvm/cloud-init",
            "--state-dir=/var/lib/fastvm/state",
            "--runtime-dir=/run/fastvm",
            "--nat-bind-address=0.0.0.0",
            "--console-tls=/etc/fastvm/console-tls",
            "--termination-log=/dev/termination-log");
    Map<String, VolumeMount> mounts =
        c.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
    assertThat(mounts.get("/etc/fastvm/manifests").getReadOnly()).isTrue();
    assertThat(mounts.get("/etc/fastvm/cloud-init").getReadOnly()).isTrue();
    assertThat(mounts.get("/etc/fastvm/console-tls").getReadOnly()).isTrue();
    assertThat(mounts.get("/var/lib/fastvm/volumes/debian-iso").getReadOnly()).isTrue();
    assertThat(mounts.get("/var/lib/fastvm/volumes/debian-root").getReadOnly()).isNull();
    assertThat(mounts).containsKeys("/run/fastvm", "/tmp", "/var/lib/fastvm/state");

    var volumes =
        pod.getSpec().getVolumes().stream()
            .collect(Collectors.toMap(io.fabric8.kubernetes.api.model.Volume::getName, v -> v));
    assertThat(volumes.get("state").getPersistentVolumeClaim().getClaimName())
        .isEqualTo("debian-state");
    assertThat(
            volumes
                .get("manifests")
                .getDownwardAPI()
                .getItems()
                .get(0)
                .getFieldRef()
                .getFieldPath())
        .isEqualTo("metadata.annotations['fastvm.io/manifest']");
    assertThat(volumes.get("cloud-init").getSecret().getSecretName()).isEqualTo("init-seed");
    // The console endpoint's certificate: per VM, kept valid by the operator.
    assertThat(volumes.get("console-tls").getSecret().getSecretName())
        .isEqualTo("debian-console-tls");
    assertThat(c.getPorts())
        .anySatisfy(
            p -> {
              assertThat(p.getName()).isEqualTo("console");
              assertThat(p.getContainerPort()).isEqualTo(PodLayout.CONSOLE_PORT);
            });
    assertThat(volumes.values()).allSatisfy(v -> assertThat(v.getHostPath()).isNull());
    var pvcs =
        volumes.values().stream()
            .filter(v -> v.getPersistentVolumeClaim() != null)
            .collect(Collectors.toMap(v -> v.getPersistentVolumeClaim().getClaimName(), v -> v));
    assertThat(pvcs.get("debian-iso-pvc").getPersistentVolumeClaim().getReadOnly()).isTrue();
    assertThat(pvcs.get("debian-root-pvc").getPersistentVolumeClaim().getReadOnly()).isFalse();

    String manifest = pod.getMetadata().getAnnotations().get(VmMetadata.MANIFEST_ANNOTATION);
    assertThat(manifest)
        .contains("kind: VirtualMachine", "kind: Volume", "memory: 2Gi")
        // The seed comes rendered from its Secret: the CloudInitConfig (raw userData may be
        // sensitive) stays out of the pod, which more people can read.
        .doesNotContain("kind: CloudInitConfig", "status", "managedFields", "claimName");
    assertThat(VmManifest.vmSpec(manifest)).contains(vm.getSpec());
    // What the launcher reads passes the same validation as kubectl apply would.
    assertThat(ManifestValidator.committed().validateYaml(manifest))
        .hasSize(3)
        .allSatisfy(report -> assertThat(report.violations()).isEmpty());
  }

  @Test
  void podIsLockedDown() {
    Pod pod = render(full(), TestVms.readyVolume("debian-root"), TestVms.readyVolume("debian-iso"));
    var spec = pod.getSpec();
    assertThat(spec.getRestartPolicy()).isEqualTo("Never");
    assertThat(spec.getAutomountServiceAccountToken()).isFalse();
    assertThat(spec.getEnableServiceLinks()).isFalse();
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(107L);
    assertThat(spec.getSecurityContext().getFsGroup()).isEqualTo(107L);
    assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var sc = spec.getContainers().get(0).getSecurityContext();
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isEmpty();
    assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(60 + 15);
    assertThat(spec.getNodeSelector()).containsEntry("fastvm.io/kvm", "true");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getController()).isTrue();
              assertThat(ref.getKind()).isEqualTo("VirtualMachine");
            });
    assertThat(spec.getContainers().get(0).getReadinessProbe().getExec().getCommand())
        .containsExactly("test", "-f", "/run/fastvm/ready");
    // ssh on port 22: QEMU as uid 107 may bind it only with the unprivileged range lowered.
    assertThat(spec.getSecurityContext().getSysctls())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName()).isEqualTo("net.ipv4.ip_unprivileged_port_start");
              assertThat(s.getValue()).isEqualTo("0");
            });
  }

  @Test
  void requestsGuestMemoryPlusOverheadAndDevicesNotPrivileges() {
    Pod pod = render(full(), TestVms.readyVolume("debian-root"), TestVms.readyVolume("debian-iso"));
    var resources = pod.getSpec().getContainers().get(0).getResources();
    // 2048 guest + 64 launcher + 96 qemu + 2*8 vCPUs + 2048/512 page tables + 128 qxl
    // + 8 uefi + 16 tpm = 2380
    assertThat(resources.getRequests())
        .containsEntry("memory", new Quantity("2380Mi"))
        .containsEntry("cpu", new Quantity("2000m"))
        .containsEntry(VmResources.KVM, new Quantity("1"))
        .doesNotContainKey(VmResources.TUN);
    assertThat(resources.getLimits()).containsOnlyKeys(VmResources.KVM);
  }

  @Test
  void bridgeNetworksGetMultusAndTunButNoCapabilities() {
    VirtualMachine vm =
        TestVms.vm(
            "fileserver",
            TestVms.spec()
                .disk("root", "root")
                .bridge("lan", "infra/lan-br0")
                .natWithSsh()
                .build());
    Pod pod = render(vm, TestVms.readyVolume("root"));
    assertThat(pod.getMetadata().getAnnotations().get(VmMetadata.MULTUS_NETWORKS_ANNOTATION))
        .isEqualTo("[{\"name\":\"lan-br0\",\"namespace\":\"infra\",\"interface\":\"net0\"}]");
    // The node agent's cue: which of the pod's interfaces to bridge to a tap.
    assertThat(pod.getMetadata().getAnnotations().get(PodTaps.BRIDGE_NICS_ANNOTATION))
        .isEqualTo("0");
    var c = pod.getSpec().getContainers().get(0);
    // QEMU opens the tap the node agent made: /dev/net/tun, but no capability to make one.
    assertThat(c.getResources().getRequests())
        .containsKey(VmResources.TUN)
        .doesNotContainKey(VmResources.VHOST_NET);
    assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getPorts())
        .extracting(p -> p.getContainerPort())
        .containsExactly(PodLayout.CONSOLE_PORT, 22);
  }

  @Test
  void biosVmWithoutTpmHasNoStatePvcAndTcgAddsTheTranslationCache() {
    VirtualMachine vm =
        TestVms.vm("tiny", TestVms.spec().memory("256Mi").cpus(1).disk("root", "root").build());
    Pod pod =
        VmPod.build(
            new VmPod.Inputs(
                vm,
                ReferenceResolver.resolve(
                    vm.getSpec(), Map.of("root", TestVms.readyVolume("root")), Optional.empty()),
                List.of(TestVms.readyVolume("root")),
                Optional.empty(),
                1,
                0,
                Optional.of("2026-01-01T00:00:00Z"),
                settings.withRequestKvmForAuto(false)));
    var state =
        pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("state")).findFirst();
    assertThat(state).get().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    // 256 + 64 + 96 + 8 + 1 + 128 qxl + 64 tcg
    assertThat(pod.getSpec().getContainers().get(0).getResources().getRequests())
        .containsEntry("memory", new Quantity("617Mi"))
        .doesNotContainKey(VmResources.KVM);
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry(VmMetadata.POD_RESTART_ANNOTATION, "2026-01-01T00:00:00Z")
        .containsEntry(VmMetadata.RUN_ANNOTATION, "1");
    assertThat(pod.getMetadata().getName()).matches("tiny-[0-9a-f]{5}-1");
    assertThat(pod.getSpec().getSecurityContext().getSysctls()).isEmpty();
  }
}
