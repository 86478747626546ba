package io.fastvm.node.launcher;

import static io.fastvm.node.launcher.GuestBootTest.BOOT;
import static io.fastvm.node.launcher.GuestBootTest.EXIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.node.firmware.Ovmf;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UEFI and Secure Boot from disks, CD-ROM boot with a second ISO, boot order, cloud-init. */
class FirmwareAndMediaTest {

  @TempDir Path tmp;

  private static void powerOff(LauncherProcess launcher) throws Exception {
    launcher.awaitLine("power-button watching", BOOT);
    launcher.signal("TERM");
    assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
  }

  private static void powerOff(LauncherProcess launcher, TestBudget budget) throws Exception {
    launcher.awaitLine("power-button watching", budget);
    launcher.signal("TERM");
    assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
  }

  private static String uefiVm(String name, String firmware, String disk) {
    return """
        apiVersion: fastvm.io/v1alpha1
        kind: VirtualMachine
        metadata: {name: %s}
        spec:
          accelerator: tcg
          memory: 512Mi
          firmware: %s
          disks:
            - %s
          display: {type: none}
        """
        .formatted(name, firmware, disk);
  }

  /** Boots the UEFI test disk with the state in {@code state}; the guest's efivar lines. */
  private List<String> bootUefiDisk(Path dir, Path disk, Path state, TestBudget budget)
      throws Exception {
    Files.createDirectories(dir);
    TestVm vm =
        new TestVm(dir)
            .stateDir(state)
            .volume("esp", disk)
            .manifest(uefiVm("uefi", "{type: uefi}", "{name: esp, volume: esp, bootOrder: 1}"));
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, budget);
      List<String> seen = launcher.guestLines();
      assertThat(seen)
          .contains("firmware=uefi")
          .anyMatch(l -> l.matches("disk name=vda bus=virtio size=67108864 .*"));
      powerOff(launcher, budget);
      return seen.stream().filter(l -> l.startsWith("efivar")).toList();
    }
  }

  @Test
  void uefiBootsFromADiskAndKeepsItsVariablesInTheStateDir() throws Exception {
    TestBudget budget = TestBudget.of(Duration.ofMinutes(8), "three UEFI boots under TCG");
    Path disk = TestGuests.copyTo(TestGuests.uefiDisk(), tmp, "esp.img");
    Path state = tmp.resolve("state");

    List<String> first = bootUefiDisk(tmp.resolve("boot1"), disk, state, budget);
    assertThat(first).first().isEqualTo("efivar=absent");
    String written =
        first.stream()
            .filter(l -> l.startsWith("efivar-written="))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the guest wrote no variable: " + first))
            .substring("efivar-written=".length());
    Path vars = state.resolve(Ovmf.VARS_FILE);
    // A per-VM copy of the template, which now holds the guest's variable.
    assertThat(vars).isRegularFile();
    assertThat(Files.size(vars)).isEqualTo(Files.size(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd")));
    assertThat(Files.readString(state.resolve(Ovmf.VARS_TEMPLATE_MARKER)))
        .contains("OVMF_VARS_4M.fd");

    // The next boot with the same state dir reads back what the first one wrote ...
    assertThat(bootUefiDisk(tmp.resolve("boot2"), disk, state, budget))
        .containsExactly("efivar=" + written);
    // ... and a VM with a fresh state dir starts from the template again.
    assertThat(bootUefiDisk(tmp.resolve("boot3"), disk, tmp.resolve("fresh"), budget))
        .first()
        .isEqualTo("efivar=absent");
  }

  @Test
  void secureBootIsEnforcedWithMicrosoftKeysAndVisibleToTheGuest() throws Exception {
    TestBudget budget = TestBudget.of(Duration.ofMinutes(6), "a Secure Boot (SMM) boot under TCG");
    Path disk = TestGuests.copyTo(TestGuests.secureBootDisk(), tmp, "esp.img");
    TestVm vm =
        new TestVm(tmp)
            .volume("esp", disk)
            .manifest(
                """
                apiVersion: fastvm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: secure}
                spec:
                  accelerator: tcg
                  memory: 512Mi
                  firmware: {type: uefi, secureBoot: true}
                  tpm: {enabled: true}
                  disks:
                    - {name: esp, volume: esp, bus: sata, bootOrder: 1}
                  display: {type: none}
                """);
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, budget);
      assertThat(launcher.guestLines())
          .contains("firmware=uefi", "secureboot=1", "kernel-secureboot=enabled")
          .anyMatch(l -> l.startsWith("tpm=present resetCount="));
      powerOff(launcher, budget);
    }
    assertThat(Files.readString(vm.stateDir().resolve(Ovmf.VARS_TEMPLATE_MARKER)))
        .contains("OVMF_VARS_4M.ms.fd");
  }

  /**
   * The negative of the test above: the UEFI test disk boots without Secure Boot (test above that),
   * but its loader (Debian's systemd-boot) is not signed, so with Secure Boot the firmware must
   * refuse it and the guest never runs.
   */
  @Test
  void secureBootRefusesAnUnsignedLoader() throws Exception {
    TestBudget budget = TestBudget.of(Duration.ofMinutes(6), "a Secure Boot (SMM) boot under TCG");
    Path disk = TestGuests.copyTo(TestGuests.uefiDisk(), tmp, "esp.img");
    TestVm vm =
        new TestVm(tmp)
            .volume("esp", disk)
            .manifest(
                uefiVm(
                    "unsigned",
                    "{type: uefi, secureBoot: true}",
                    "{name: esp, volume: esp, bootOrder: 1}"));
    try (LauncherProcess launcher = vm.start()) {
      // OVMF names the refusal on the serial console when it gives up on the boot entry.
      String refusal =
          launcher.awaitLine(
              l -> l.contains("Access Denied") || l.contains("FASTVM-GUEST"),
              budget,
              "the firmware's verdict on the unsigned loader");
      assertThat(refusal).contains("Access Denied").doesNotContain("FASTVM-GUEST");
      assertThat(launcher.guestLines()).isEmpty();
    }
  }

  @Test
  void bootsTheCdromWithTheLowestBootOrderAndSeesTheDriverIso() throws Exception {
    Path isoA = TestGuests.bootIso("FASTVM_A", "fastvm.iso=a fastvm.expect=sr:3,vd:1");
    Path isoB = TestGuests.bootIso("FASTVM_B", "fastvm.iso=b fastvm.expect=sr:3,vd:1");
    Path drivers = TestGuests.dataIso("DRIVERS");
    TestVm vm = new TestVm(tmp);
    vm.volume("iso-a", isoA)
        .volume("iso-b", isoB)
        .volume("drivers", drivers)
        .volume("root", vm.rawImage("root.raw", 64L << 20))
        .manifest(
            """
            apiVersion: fastvm.io/v1alpha1
            kind: VirtualMachine
            metadata: {name: installer}
            spec:
              accelerator: tcg
              memory: 256Mi
              disks:
                - {name: root, volume: root, bootOrder: 3}
                - {name: first-listed, volume: iso-a, cdrom: true, bootOrder: 2}
                - {name: install, volume: iso-b, cdrom: true, bootOrder: 1}
                - {name: drivers, volume: drivers, cdrom: true}
              display: {type: vga}
            """);
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      assertThat(launcher.guestLines())
          .anyMatch(l -> l.startsWith("cmdline ") && l.contains("fastvm.iso=b"))
          .anyMatch(l -> l.matches("cdrom name=sr\\d bus=sata label=FASTVM_A"))
          .anyMatch(l -> l.matches("cdrom name=sr\\d bus=sata label=FASTVM_B"))
          .anyMatch(l -> l.matches("cdrom name=sr\\d bus=sata label=DRIVERS"))
          .anyMatch(l -> l.matches("disk name=vda bus=virtio size=67108864 .*"));
      powerOff(launcher);
    }
  }

  @Test
  void cloudInitSeedOnSataIsACdromLabelledCidata() throws Exception {
    var guest = TestGuests.kernelBootGuest();
    TestVm vm =
        new TestVm(tmp)
            .volume("kernel", guest.kernel())
            .volume("initrd", guest.initrd())
            .manifest(
                """
                apiVersion: v1
                kind: Secret
                metadata: {name: pw}
                stringData: {password: s3cret}
                ---
                apiVersion: fastvm.io/v1alpha1
                kind: CloudInitConfig
                metadata: {name: init}
                spec:
                  hostname: box
                  users:
                    - {name: alice, sudo: true, passwordSecretRef: {name: pw}}
                ---
                apiVersion: fastvm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: ci}
                spec:
                  accelerator: tcg
                  memory: 256Mi
                  kernelBoot:
                    kernel: kernel
                    initrd: initrd
                    cmdline: console=ttyS0 quiet fastvm.expect=sr:1
                  cloudInit: {name: init, bus: sata}
                  networks: [{name: default}]
                  display: {type: none}
                """);
    FileTime before = FileTime.fromMillis(System.currentTimeMillis());
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      assertThat(launcher.guestLines())
          .anyMatch(l -> l.matches("cdrom name=sr0 bus=sata label=cidata"));
      Path userData = vm.runtimeDir().resolve("cloud-init/user-data");
      assertThat(Files.readString(userData)).startsWith("#cloud-config").doesNotContain("s3cret");
      assertThat(Files.getLastModifiedTime(userData)).isGreaterThanOrEqualTo(before);
      powerOff(launcher);
    }
  }
}
