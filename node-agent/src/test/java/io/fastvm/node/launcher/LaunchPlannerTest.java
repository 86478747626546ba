package io.fastvm.node.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fastvm.api.v1alpha1.Accelerator;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.contract.HostPortMode;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.NatBackend;
import io.fastvm.node.firmware.Ovmf;
import io.fastvm.node.manifest.ManifestReader;
import io.fastvm.node.manifest.ManifestSet;
import io.fastvm.node.manifest.ManifestValidator;
import io.fastvm.node.network.NicBackend;
import io.fastvm.node.qemu.AcceleratorChoice;
import io.fastvm.node.qemu.AcceleratorKind;
import io.fastvm.node.qemu.KvmProbe;
import io.fastvm.node.volume.VolumeResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning checks everything before anything changes. */
class LaunchPlannerTest {

  @TempDir Path tmp;

  private static final HostTools ALL_TOOLS =
      new HostTools(
          Optional.of(Path.of("/usr/bin/qemu-system-x86_64")),
          Optional.of(Path.of("/usr/bin/swtpm")),
          Optional.of(Path.of("/usr/bin/xorriso")),
          Optional.of(Path.of("/usr/bin/qemu-img")),
          Optional.of(Path.of("/usr/bin/passt")));
  private static final AcceleratorChoice TCG =
      new AcceleratorChoice(AcceleratorKind.TCG, "max", "test");

  /** The backend of the invocations {@link #plan} plans. */
  private NatBackend natBackend = NatBackend.SLIRP;

  private LaunchPlan plan(String spec, Map<String, Path> volumes, HostTools tools, Ovmf ovmf)
      throws Exception {
    ManifestSet set =
        new ManifestReader(ManifestValidator.NONE)
            .read(
                """
                apiVersion: fastvm.io/v1alpha1
                kind: Volume
                metadata: {name: declared-qcow2}
                spec: {size: 1Gi, format: qcow2, source: {blank: {}}}
                ---
                apiVersion: fastvm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: vm}
                spec:
                %s
                """
                    .formatted(spec.indent(2)),
                "test");
    LauncherInvocation invocation =
        new LauncherInvocation(
            List.of(),
            volumes,
            null,
            tmp.resolve("state"),
            tmp.resolve("run"),
            "127.0.0.1",
            null,
            null,
            HostPortMode.SERVICE);
    return new LaunchPlanner(tools, ovmf).plan(set, invocation.withNatBackend(natBackend), TCG);
  }

  private LaunchPlan plan(String spec, Map<String, Path> volumes) throws Exception {
    return plan(spec, volumes, ALL_TOOLS, new Ovmf(Path.of("/usr/share/OVMF")));
  }

  private Path file(String name, byte[] content) throws Exception {
    Path f = tmp.resolve(name);
    Files.write(f, content);
    return f;
  }

  @Test
  void aPlainVmPlansWithoutTouchingTheStateDir() throws Exception {
    Path disk = file("disk.raw", new byte[4096]);
    LaunchPlan plan =
        plan("memory: 1Gi\ndisks: [{name: root, volume: root}]", Map.of("root", disk));
    assertThat(plan.argv()).contains("-m", "1024M");
    assertThat(plan.qemu().disks().get(0).format()).isEqualTo(VolumeFormat.RAW);
    assertThat(plan.gracePeriodSeconds()).isEqualTo(180);
    assertThat(tmp.resolve("state")).doesNotExist();
    assertThat(tmp.resolve("run")).doesNotExist();
  }

  @Test
  void aPvcFolderHoldsDiskImgAndAQcow2HeaderIsRecognised() throws Exception {
    Path pvc = Files.createDirectories(tmp.resolve("pvc"));
    Files.write(
        pvc.resolve(VolumeResolver.IMAGE_FILE_NAME),
        new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3});
    LaunchPlan plan = plan("memory: 1Gi\ndisks: [{name: root, volume: root}]", Map.of("root", pvc));
    assertThat(plan.qemu().disks().get(0).file()).isEqualTo(pvc.resolve("disk.img"));
    assertThat(plan.qemu().disks().get(0).format()).isEqualTo(VolumeFormat.QCOW2);
  }

  @Test
  void reportsEveryProblemAtOnce() throws Exception {
    Path raw = file("plain.raw", new byte[4096]);
    Path iso = file("install.iso", new byte[4096]);
    String spec =
        """
        memory: 1Gi
        tpm: {enabled: true}
        firmware: {type: uefi, secureBoot: true}
        usbRedirection: 2
        disks:
          - {name: a, volume: declared-qcow2}
          - {name: b, volume: iso, cdrom: true, readOnly: false}
          - {name: c, volume: iso, bootOrder: 1}
          - {name: d, volume: other, bus: sata, readOnly: true, bootOrder: 1}
          - {name: e, volume: gone}
        kernelBoot: {kernel: declared-qcow2}
        cloudInit: {name: missing}
        """;
    HostTools noExtras =
        new HostTools(
            Optional.of(Path.of("/usr/bin/qemu-system-x86_64")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThatThrownBy(
            () ->
                plan(
                    spec,
                    Map.of(
                        "declared-qcow2", raw, "iso", iso, "other", raw, "gone", tmp.resolve("x")),
                    noExtras,
                    new Ovmf(tmp.resolve("no-ovmf"))))
        .isInstanceOf(LaunchException.class)
        .satisfies(e -> assertThat(((LaunchException) e).exitCode()).isEqualTo(2))
        .hasMessageContaining(
            "OVMF_CODE_4M.secboot.fd is missing (install the Debian package ovmf)")
        .hasMessageContaining("tpm: swtpm is not installed")
        .hasMessageContaining("disk a: Volume declared-qcow2 has format qcow2 but")
        .hasMessageContaining("disk b: a CD-ROM is always read-only")
        .hasMessageContaining("disk c: Volume iso is also attached read-only by disk b")
        .hasMessageContaining("disk d: a read-only SATA disk is not possible")
        .hasMessageContaining("disk d: bootOrder 1 is used twice")
        .hasMessageContaining("x does not exist")
        .hasMessageContaining("cloudInit: CloudInitConfig missing is not among the manifests")
        .hasMessageContaining("usbRedirection needs a SPICE display");
    assertThat(tmp.resolve("state")).doesNotExist();
  }

  @Test
  void secureBootWithBiosAndNothingToBoot() {
    assertThatThrownBy(() -> plan("memory: 1Gi\nfirmware: {secureBoot: true}", Map.of()))
        .hasMessageContaining("firmware.secureBoot needs firmware type uefi")
        .hasMessageContaining("nothing to boot");
  }

  @Test
  void passtIsNeededOnlyForNatOnPasst() throws Exception {
    HostTools withoutPasst =
        new HostTools(
            Optional.of(Path.of("/usr/bin/qemu-system-x86_64")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    String spec = "memory: 1Gi\nkernelBoot: {kernel: k}\nnetworks: [{name: default}]";
    Map<String, Path> volumes = Map.of("k", file("k", new byte[16]));
    Ovmf ovmf = new Ovmf(Path.of("/usr/share/OVMF"));
    assertThat(plan(spec, volumes, withoutPasst, ovmf).qemu().nics().get(0).backend())
        .isInstanceOf(NicBackend.UserNetwork.class);
    natBackend = NatBackend.PASST;
    assertThatThrownBy(() -> plan(spec, volumes, withoutPasst, ovmf))
        .hasMessageContaining("--nat-backend=passt: passt is not installed (Debian package passt");
    assertThat(
            plan(
                    "memory: 1Gi\nkernelBoot: {kernel: k}\nnetworks: [{name: lab, type: isolated}]",
                    volumes,
                    withoutPasst,
                    ovmf)
                .qemu()
                .nics())
        .as("isolated networks stay on QEMU's own")
        .allMatch(n -> n.backend() instanceof NicBackend.UserNetwork);
    assertThat(plan(spec, volumes, ALL_TOOLS, ovmf).qemu().nics().get(0).backend())
        .isEqualTo(new NicBackend.Passt(tmp.resolve("run").resolve("passt-0.sock")));
  }

  @Test
  void missingQemuIsNamed() {
    HostTools none =
        new HostTools(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    assertThatThrownBy(
            () ->
                plan(
                    "memory: 64Gi\nkernelBoot: {kernel: k}", Map.of("k", tmp), none, new Ovmf(tmp)))
        .hasMessageContaining("qemu-system-x86_64 is not installed");
  }

  @Test
  void acceleratorChoice() {
    List<String> problems = new ArrayList<>();
    KvmProbe.Result works = new KvmProbe.Result(true, "ok", false);
    KvmProbe.Result hangs = new KvmProbe.Result(false, "hangs", true);
    assertThat(AcceleratorChoice.decide(Accelerator.AUTO, null, () -> works, problems))
        .extracting(AcceleratorChoice::kind, AcceleratorChoice::cpuModel)
        .containsExactly(AcceleratorKind.KVM, "host");
    assertThat(AcceleratorChoice.decide(Accelerator.AUTO, null, () -> hangs, problems))
        .extracting(AcceleratorChoice::kind, AcceleratorChoice::cpuModel)
        .containsExactly(AcceleratorKind.TCG, "max");
    AcceleratorChoice fallback = AcceleratorChoice.decide(null, "host", () -> hangs, problems);
    assertThat(fallback.cpuModel()).isEqualTo("max");
    assertThat(fallback.reason()).contains("hangs, cached").contains("using max instead");
    assertThat(
            AcceleratorChoice.decide(
                    Accelerator.TCG,
                    "EPYC",
                    () -> {
                      throw new AssertionError("no probe for tcg");
                    },
                    problems)
                .cpuModel())
        .isEqualTo("EPYC");
    assertThat(problems).isEmpty();
    AcceleratorChoice.decide(Accelerator.TCG, "host", () -> works, problems);
    AcceleratorChoice.decide(Accelerator.KVM, null, () -> hangs, problems);
    assertThat(problems)
        .containsExactly(
            "cpu.model host needs KVM, but accelerator is tcg: choose another model (e.g. max)"
                + " or accelerator auto",
            "accelerator kvm: KVM does not work on this host (hangs); use accelerator auto or tcg");
  }

  @Test
  void uefiVarsAreCopiedOnceAndRecopiedWhenSecureBootSwitches() throws Exception {
    Ovmf ovmf = new Ovmf(Path.of("/usr/share/OVMF"));
    Path state = tmp.resolve("state");
    var plain = ovmf.locate(state, false, new ArrayList<>()).orElseThrow();
    assertThat(Ovmf.prepareVars(plain))
        .hasValueSatisfying(n -> assertThat(n).contains("first boot"));
    Files.write(plain.vars(), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.WRITE);
    assertThat(Ovmf.prepareVars(plain)).isEmpty();
    assertThat(Files.readAllBytes(plain.vars())).startsWith(1, 2, 3);
    var secure = ovmf.locate(state, true, new ArrayList<>()).orElseThrow();
    assertThat(Ovmf.prepareVars(secure))
        .hasValueSatisfying(n -> assertThat(n).contains("switched"));
    assertThat(plain.vars()).hasSameBinaryContentAs(Path.of("/usr/share/OVMF/OVMF_VARS_4M.ms.fd"));
    assertThat(state.resolve("uefi-vars.fd.bak")).exists();
  }

  // The cloud-init seed's bus

  /**
   * Plans a VM with one virtio root disk and one NIC whose spec has {@code cloudInit} (one YAML
   * line, or null for none); the seed comes from {@code seedDir}, else from the CloudInitConfig
   * init in the manifests.
   */
  private LaunchPlan planSeed(String cloudInit, Path seedDir) throws Exception {
    ManifestSet set =
        new ManifestReader(ManifestValidator.NONE)
            .read(
                """
                apiVersion: fastvm.io/v1alpha1
                kind: CloudInitConfig
                metadata: {name: init}
                spec: {hostname: box}
                ---
                apiVersion: fastvm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: vm}
                spec:
                  memory: 256Mi
                  disks: [{name: root, volume: root}]
                  networks: [{name: default}]
                %s
                """
                    .formatted(cloudInit == null ? "" : "  " + cloudInit),
                "test");
    LauncherInvocation invocation =
        new LauncherInvocation(
            List.of(),
            Map.of("root", file("root.raw", new byte[4096])),
            seedDir,
            tmp.resolve("state"),
            tmp.resolve("run"),
            "127.0.0.1",
            null,
            null,
            HostPortMode.SERVICE);
    return new LaunchPlanner(ALL_TOOLS, new Ovmf(Path.of("/usr/share/OVMF")))
        .plan(set, invocation, TCG);
  }

  /** A seed folder as the operator's Secret gives it to the VM pod. */
  private Path seedDir() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("seed"));
    Files.writeString(dir.resolve("user-data"), "#cloud-config\n");
    Files.writeString(dir.resolve("meta-data"), "instance-id: test\n");
    return dir;
  }

  /** QEMU's JSON option values that follow {@code flag} in the plan's argv. */
  private static List<JsonNode> options(LaunchPlan plan, String flag) throws Exception {
    List<JsonNode> values = new ArrayList<>();
    for (int i = 0; i + 1 < plan.argv().size(); i++) {
      if (plan.argv().get(i).equals(flag) && plan.argv().get(i + 1).startsWith("{")) {
        values.add(JSON.readTree(plan.argv().get(i + 1)));
      }
    }
    return values;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The seed's -device; asserts its -blockdev opens the ISO read-only. */
  private JsonNode seedDevice(LaunchPlan plan) throws Exception {
    JsonNode device =
        options(plan, "-device").stream()
            .filter(d -> d.path("id").asText().equals("cloudinit"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no seed device in " + plan.argv()));
    JsonNode blockdev =
        options(plan, "-blockdev").stream()
            .filter(b -> b.path("node-name").asText().equals(device.path("drive").asText()))
            .findFirst()
            .orElseThrow();
    assertThat(blockdev.path("read-only").asBoolean()).isTrue();
    assertThat(blockdev.path("file").path("read-only").asBoolean()).isTrue();
    assertThat(blockdev.path("file").path("filename").asText())
        .isEqualTo(tmp.resolve("run").resolve("cloud-init.iso").toString());
    return device;
  }

  private static List<String> drivers(LaunchPlan plan) throws Exception {
    return options(plan, "-device").stream().map(d -> d.path("driver").asText()).toList();
  }

  @Test
  void theSeedIsAReadOnlyVirtioDiskByDefaultAfterTheVmsOwnDisks() throws Exception {
    LaunchPlan plan = planSeed("cloudInit: {name: init}", null);
    JsonNode seed = seedDevice(plan);
    assertThat(seed.path("driver").asText()).isEqualTo("virtio-blk-pci");
    assertThat(plan.renderedSeed()).isNotNull();
    // Not a CD-ROM, and no controller it would need; the root disk stays the first virtio disk
    // (vda), the seed comes after it.
    assertThat(drivers(plan))
        .doesNotContain("ide-cd", "scsi-cd", "virtio-scsi-pci")
        .containsSubsequence("virtio-blk-pci", "virtio-blk-pci");
    List<String> ids = options(plan, "-device").stream().map(d -> d.path("id").asText()).toList();
    assertThat(ids).containsSubsequence("disk-root", "cloudinit");
  }

  @Test
  void theSeedOnScsiIsAReadOnlyDiskOnTheVirtioScsiController() throws Exception {
    JsonNode seed = seedDevice(planSeed("cloudInit: {name: init, bus: scsi}", null));
    assertThat(seed.path("driver").asText()).isEqualTo("scsi-hd");
    assertThat(seed.path("bus").asText()).isEqualTo("scsi0.0");
    assertThat(drivers(planSeed("cloudInit: {name: init, bus: scsi}", null)))
        .contains("virtio-scsi-pci")
        .doesNotContain("scsi-cd", "ide-cd");
  }

  @Test
  void theSeedOnSataIsACdrom() throws Exception {
    JsonNode seed = seedDevice(planSeed("cloudInit: {name: init, bus: sata}", null));
    assertThat(seed.path("driver").asText()).isEqualTo("ide-cd");
    assertThat(seed.path("bus").asText()).isEqualTo("ide.0");
  }

  @Test
  void aSeedFolderFollowsTheVmsBusToo() throws Exception {
    Path seedDir = seedDir();
    // The cluster path: the operator's rendered seed, and the VM's choice of bus.
    LaunchPlan scsi = planSeed("cloudInit: {name: init, bus: scsi}", seedDir);
    assertThat(scsi.seedDir()).isEqualTo(seedDir);
    assertThat(scsi.renderedSeed()).isNull();
    assertThat(seedDevice(scsi).path("driver").asText()).isEqualTo("scsi-hd");
    assertThat(
            seedDevice(planSeed("cloudInit: {name: init, bus: sata}", seedDir))
                .path("driver")
                .asText())
        .isEqualTo("ide-cd");
    // A seed folder for a VM that names no CloudInitConfig: the default bus.
    assertThat(seedDevice(planSeed(null, seedDir)).path("driver").asText())
        .isEqualTo("virtio-blk-pci");
  }
}
