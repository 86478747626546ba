package io.fastvm.node.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.cloudinit.NoCloudRenderer;
import io.fastvm.cloudinit.NoCloudSeed;
import io.fastvm.cloudinit.RenderedConfig;
import io.fastvm.contract.HostPortMode;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.node.guest.DebianDisk;
import io.fastvm.node.guest.DebianKernel;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.manifest.ManifestReader;
import io.fastvm.node.manifest.ManifestSet;
import io.fastvm.node.manifest.ManifestValidator;
import io.fastvm.node.network.NicAttachment;
import io.fastvm.node.network.NicPlanner;
import io.fastvm.node.testing.CloudGuest;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.digest.Crypt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * cloud-init 22.4 in a real Debian 12 guest ({@link CloudGuest}) booted by the launcher in its own
 * JVM under TCG, with each of Debian's kernels: the seed the operator renders reaches the guest on
 * the bus the VM names, and the guest becomes what the CloudInitConfig says (hostname, a sudo user
 * with an SSH key and a password, a static address, gateway and nameserver). The guest reports once
 * cloud-init is done, then powers itself off.
 */
class CloudInitGuestTest {

  /**
   * One boot to cloud-init's end and the guest's power-off. Measured under TCG on a busy 2-core
   * machine: about 3.5 minutes (see the test report); generous, so a hung guest fails the test.
   */
  static final Duration BOOT = Duration.ofMinutes(12);

  static final String NAMESPACE = "tests";
  static final String PASSWORD = "correct horse battery staple";

  /** A public key made once with ssh-keygen -t ed25519 (the private key was thrown away). */
  static final String SSH_KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII+zM0nvzy/OUcQMCzzPrq2s/Lvj9CCF4HJZssMrKB1L"
          + " fastvm-cloud-init-test";

  @TempDir Path tmp;

  @BeforeAll
  static void guestAvailable() {
    CloudGuest.assumeAvailable();
  }

  /** A Secret with the password and a CloudInitConfig init that uses it. */
  private static String config(String hostname) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: alice-password, namespace: %s}
        stringData: {password: %s}
        ---
        apiVersion: fastvm.io/v1alpha1
        kind: CloudInitConfig
        metadata: {name: init, namespace: %s}
        spec:
          hostname: %s
          users:
            - name: alice
              sudo: true
              passwordSecretRef: {name: alice-password}
              sshAuthorizedKeys: ["%s"]
          network:
            mode: static
            address: 10.0.2.50/24
            gateway: 10.0.2.2
            nameservers: [10.0.2.3]
        """
        .formatted(NAMESPACE, PASSWORD, NAMESPACE, hostname, SSH_KEY);
  }

  /** The VM (and its Volumes) booting {@code kernel} from an overlay clone of the disk. */
  private static String vm(String name, DebianDisk disk, GuestImage kernel, String moreSpec) {
    return CloudGuest.volumes(disk)
        + """
        ---
        apiVersion: fastvm.io/v1alpha1
        kind: VirtualMachine
        metadata: {name: %s, namespace: %s}
        spec:
          accelerator: tcg
          memory: 768Mi
          kernelBoot: {kernel: kernel, initrd: initrd, cmdline: '%s'}
          disks: [{name: root, volume: root}]
          display: {type: none}
        %s"""
            .formatted(name, NAMESPACE, kernel.cmdline(), moreSpec.indent(2));
  }

  @ParameterizedTest(name = "{0} kernel")
  @ValueSource(strings = {DebianKernel.CLOUD, DebianKernel.GENERIC})
  void theOperatorsSeedOnAVirtioDiskMakesTheGuestWhatTheConfigSays(String flavour)
      throws Exception {
    DebianDisk disk = CloudGuest.disk();
    GuestImage kernel = disk.kernel(flavour);
    String name = "ci-" + flavour;
    String vmYaml =
        vm(
            name,
            disk,
            kernel,
            "networks: [{name: default, type: nat}]\ncloudInit: {name: init, bus: virtio}");

    // The cluster path: the operator renders the CloudInitConfig into its Secret, then each VM's
    // seed from that, with the MACs of the VM's NICs; the VM pod mounts the seed, and the
    // launcher gets it as --cloud-init-seed with a manifest of only the VM and its Volumes.
    ManifestSet all =
        new ManifestReader(ManifestValidator.NONE)
            .read(config("box-" + flavour) + "---\n" + vmYaml, "test");
    List<String> problems = new ArrayList<>();
    List<String> macs =
        new NicPlanner("127.0.0.1", HostPortMode.SERVICE)
            .plan(NAMESPACE, name, all.spec().networksOrEmpty(), problems).stream()
                .map(NicAttachment::mac)
                .toList();
    assertThat(problems).isEmpty();
    RenderedConfig rendered =
        RenderedConfig.fromSecretData(
            NoCloudRenderer.config(
                    all.cloudInitConfigs().get("init"), NAMESPACE, "init", all.secrets())
                .toSecretData());
    NoCloudSeed seed = NoCloudRenderer.seed(rendered, NAMESPACE, name, macs);
    Path seedDir = tmp.resolve("seed");
    seed.writeTo(seedDir);

    TestVm vm =
        CloudGuest.bind(new TestVm(tmp), disk, kernel, Files.createDirectories(tmp.resolve("root")))
            .manifest(vmYaml);
    List<String> args = new ArrayList<>(vm.invocation().toArgs());
    args.add("--cloud-init-seed=" + seedDir);
    TestBudget budget = TestBudget.of(BOOT, "a Debian boot to cloud-init's end (" + flavour + ")");
    try (LauncherProcess launcher = LauncherProcess.start(args, vm.runtimeDir(), Map.of())) {
      launcher.awaitLine(TestGuests.READY, budget);
      List<String> report = launcher.guestLines();
      logBootTime(flavour + " kernel, virtio seed", budget, report);
      assertThat(report)
          .as("what the guest reported")
          .contains(
              "kernel=" + kernel.kernelVersion(),
              "hostname=box-" + flavour,
              "user-sudo name=alice rule=(ALL) NOPASSWD: ALL",
              "user-key name=alice key=" + SSH_KEY,
              "nic name=eth0 mac=" + macs.get(0),
              "ipv4 dev=eth0 addr=10.0.2.50/24",
              "nameserver=10.0.2.3")
          .anyMatch(
              l -> l.matches("cloud-init datasource=DataSourceNoCloud \\[seed=/dev/vd[b-z]].*"))
          .anyMatch(l -> l.matches("user name=alice id=uid=\\d+\\(alice\\) gid=\\d+\\(alice\\).*"))
          .anyMatch(l -> l.startsWith("route4 default via 10.0.2.2 dev eth0"))
          .noneMatch(l -> l.startsWith("cloud-init error="));
      assertPassword(report);
      assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
      assertThat(launcher.output()).contains("the guest powered off (guest-shutdown)");
    }
  }

  /**
   * The other path, {@code fastvm run}: the launcher renders the CloudInitConfig itself, and the
   * seed is a SATA CD-ROM (the generic kernel has AHCI). The NIC's MAC is all decimal digits, which
   * cloud-init's YAML 1.1 reads as a number unless the renderer quotes it.
   */
  @Test
  void theLaunchersOwnSeedOnASataCdromMakesTheGuestWhatTheConfigSays() throws Exception {
    DebianDisk disk = CloudGuest.disk();
    GuestImage kernel = disk.kernel(DebianKernel.GENERIC);
    String mac = "52:54:00:12:34:56";
    String vmYaml =
        vm(
            "ci-sata",
            disk,
            kernel,
            "networks: [{name: default, type: nat, macAddress: \""
                + mac
                + "\"}]\n"
                + "cloudInit: {name: init, bus: sata}");
    TestVm vm =
        CloudGuest.bind(new TestVm(tmp), disk, kernel, Files.createDirectories(tmp.resolve("root")))
            .manifest(config("box-sata") + "---\n" + vmYaml);
    TestBudget budget = TestBudget.of(BOOT, "a Debian boot to cloud-init's end (sata seed)");
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, budget);
      List<String> report = launcher.guestLines();
      logBootTime("generic kernel, sata seed", budget, report);
      assertThat(report)
          .as("what the guest reported")
          .contains(
              "hostname=box-sata",
              "user-sudo name=alice rule=(ALL) NOPASSWD: ALL",
              "nic name=eth0 mac=" + mac,
              "ipv4 dev=eth0 addr=10.0.2.50/24")
          .anyMatch(l -> l.matches("cloud-init datasource=DataSourceNoCloud \\[seed=/dev/sr0].*"))
          .noneMatch(l -> l.startsWith("cloud-init error="));
      assertPassword(report);
      assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
    }
  }

  /** How long the boot took, for whoever sets the budget (in the test's output file). */
  private static void logBootTime(String what, TestBudget budget, List<String> report) {
    System.out.println(
        what
            + ": reported after "
            + budget.spent().toSeconds()
            + " s of the budget, guest "
            + report.stream().filter(l -> l.startsWith("uptime=")).findFirst().orElse("uptime=?")
            + " s");
  }

  /** alice's password hash in /etc/shadow is one of PASSWORD. */
  private static void assertPassword(List<String> report) {
    String prefix = "user-shadow name=alice hash=";
    String hash =
        report.stream()
            .filter(l -> l.startsWith(prefix))
            .map(l -> l.substring(prefix.length()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no shadow entry of alice in " + report));
    assertThat(hash).startsWith("$6$").doesNotContain(PASSWORD);
    assertThat(Crypt.crypt(PASSWORD, hash))
        .as("crypt of the password with its salt")
        .isEqualTo(hash);
    assertThat(Crypt.crypt(PASSWORD + "x", hash)).isNotEqualTo(hash);
  }
}
