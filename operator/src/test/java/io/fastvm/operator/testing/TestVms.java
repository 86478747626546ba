package io.fastvm.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.BlankSource;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.CloudInitConfigStatus;
import io.fastvm.api.v1alpha1.CloudInitPhase;
import io.fastvm.api.v1alpha1.CloudInitRef;
import io.fastvm.api.v1alpha1.Cpu;
import io.fastvm.api.v1alpha1.Disk;
import io.fastvm.api.v1alpha1.Firmware;
import io.fastvm.api.v1alpha1.FirmwareType;
import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.NetworkType;
import io.fastvm.api.v1alpha1.Port;
import io.fastvm.api.v1alpha1.RunStrategy;
import io.fastvm.api.v1alpha1.Tpm;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.api.v1alpha1.VolumePhase;
import io.fastvm.api.v1alpha1.VolumeSource;
import io.fastvm.api.v1alpha1.VolumeSpec;
import io.fastvm.api.v1alpha1.VolumeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** VirtualMachines, Volumes and CloudInitConfigs for tests. */
public final class TestVms {
  private TestVms() {}

  public static final String NS = "vms";

  /** A spec builder with the schema's defaults. */
  public static final class Spec {
    RunStrategy runStrategy = RunStrategy.ALWAYS;
    Cpu cpu = new Cpu(1, 2, 1, null);
    String memory = "1Gi";
    Firmware firmware;
    Tpm tpm;
    List<Disk> disks = new ArrayList<>();
    CloudInitRef cloudInit;
    List<Network> networks = new ArrayList<>();
    Map<String, String> nodeSelector;

    public Spec runStrategy(RunStrategy value) {
      runStrategy = value;
      return this;
    }

    public Spec memory(String value) {
      memory = value;
      return this;
    }

    public Spec cpus(int cores) {
      cpu = new Cpu(1, cores, 1, null);
      return this;
    }

    public Spec disk(String name, String volume) {
      disks.add(
          new Disk(name, volume, null, false, false, disks.isEmpty() ? 1 : null, null, null, true));
      return this;
    }

    public Spec cdrom(String name, String volume) {
      disks.add(new Disk(name, volume, null, true, null, null, null, null, null));
      return this;
    }

    public Spec uefiWithTpm() {
      firmware = new Firmware(FirmwareType.UEFI, true);
      tpm = new Tpm(true);
      return this;
    }

    public Spec cloudInit(String name) {
      cloudInit = new CloudInitRef(name);
      return this;
    }

    public Spec natWithSsh() {
      networks.add(
          new Network(
              "default",
              NetworkType.NAT,
              null,
              null,
              null,
              null,
              List.of(new Port("ssh", 22, null, 2222))));
      return this;
    }

    public Spec bridge(String name, String attachment) {
      networks.add(
          new Network(name, NetworkType.BRIDGE, attachment, null, "52:54:00:aa:bb:cc", null, null));
      return this;
    }

    public Spec macvtap(String name, String attachment) {
      networks.add(
          new Network(
              name, NetworkType.MACVTAP, attachment, null, "52:54:00:aa:bb:cd", null, null));
      return this;
    }

    public Spec nodeSelector(Map<String, String> value) {
      nodeSelector = value;
      return this;
    }

    public VirtualMachineSpec build() {
      return new VirtualMachineSpec(
          runStrategy,
          cpu,
          memory,
          firmware,
          tpm,
          null,
          disks.isEmpty() ? null : List.copyOf(disks),
          null,
          cloudInit,
          networks.isEmpty() ? null : List.copyOf(networks),
          null,
          null,
          60L,
          nodeSelector,
          null,
          null,
          null);
    }
  }

  public static Spec spec() {
    return new Spec();
  }

  /** A VM as the API server would return it (uid, generation), for pure-function tests. */
  public static VirtualMachine vm(String name, VirtualMachineSpec spec) {
    VirtualMachine vm = new VirtualMachine(NS, name, spec);
    vm.getMetadata().setUid(UUID.nameUUIDFromBytes(name.getBytes()).toString());
    vm.getMetadata().setGeneration(1L);
    return vm;
  }

  /** A VM to create in the mock server. */
  public static VirtualMachine newVm(String name, VirtualMachineSpec spec) {
    return new VirtualMachine(NS, name, spec);
  }

  public static Volume volume(String name) {
    return new Volume(
        NS,
        name,
        new VolumeSpec(
            "10Gi", null, null, null, new VolumeSource(new BlankSource(), null, null, null)));
  }

  /** Ready as its populate Job leaves it (a 10Gi qcow2 image), so a Volume reconciler keeps it. */
  public static VolumeStatus readyStatus(String claim) {
    return new VolumeStatus(
        VolumePhase.READY,
        "100%",
        null,
        claim,
        "disk.img",
        VolumeFormat.QCOW2,
        "10Gi",
        "1Mi",
        null,
        null,
        1L);
  }

  public static Volume readyVolume(String name) {
    Volume volume = volume(name);
    volume.setStatus(readyStatus(name + "-pvc"));
    return volume;
  }

  /**
   * Creates, for a kernel-boot VM, the Volumes {@code kernel} and {@code initrd} on the (mock or
   * real) API server, Ready on claims {@code kernel-pvc} and {@code initrd-pvc}: raw files, not
   * qcow2 images.
   */
  public static void createKernelBootVolumes(KubernetesClient client) {
    for (String name : new String[] {"kernel", "initrd"}) {
      Volume volume =
          new Volume(
              NS,
              name,
              new VolumeSpec(
                  "1Gi",
                  VolumeFormat.RAW,
                  null,
                  null,
                  new VolumeSource(new BlankSource(), null, null, null)));
      volume = client.resource(volume).create();
      volume.setStatus(readyStatus(name + "-pvc"));
      client.resource(volume).updateStatus();
    }
  }

  public static CloudInitConfig cloudInit(String name) {
    return new CloudInitConfig(
        NS, name, new CloudInitConfigSpec("guest", null, null, null, null, null));
  }

  public static CloudInitConfigStatus readyCloudInit(String secret) {
    return new CloudInitConfigStatus(CloudInitPhase.READY, secret, "0000", null, 1L);
  }
}
