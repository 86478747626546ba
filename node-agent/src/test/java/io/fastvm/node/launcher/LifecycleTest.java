package io.fastvm.node.launcher;

import static io.fastvm.node.launcher.GuestBootTest.BOOT;
import static io.fastvm.node.launcher.GuestBootTest.EXIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the launcher ends: hard stop, crash, failed start, invalid input, killed launcher, TPM. */
class LifecycleTest {

  @TempDir Path tmp;

  private static String kernelVm(String name, String extraSpec) {
    return TestVm.kernelBootVm(
        name, "256Mi", "console=ttyS0 panic=-1 quiet", "display: {type: none}\n" + extraSpec);
  }

  private TestVm vm(Path dir, GuestImage guest, String manifest) throws Exception {
    Files.createDirectories(dir);
    return new TestVm(dir).kernelBoot(guest).manifest(manifest);
  }

  @Test
  void guestIgnoringThePowerButtonIsStoppedHardAfterTheGracePeriod() throws Exception {
    TestVm vm =
        vm(
            tmp,
            TestGuests.ignoringPowerButtonGuest(),
            kernelVm("stubborn", "terminationGracePeriodSeconds: 3"));
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      launcher.signal("TERM");
      launcher.awaitLine("powering the guest down", EXIT);
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.STOPPED_HARD);
      assertThat(launcher.output()).contains("did not power off within the grace period (3 s)");
      assertThat(Files.readString(vm.terminationLog())).contains("did not power off");
    }
  }

  @Test
  void ctrlCOnTheTerminalPowersTheGuestDownInsteadOfKillingQemu() throws Exception {
    TestVm vm = vm(tmp, TestGuests.kernelBootGuest(), kernelVm("terminal", ""));
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine("power-button watching", BOOT);
      // The terminal signals the whole foreground process group; QEMU is in its own session.
      launcher.signalGroup("INT");
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
      assertThat(launcher.output())
          .contains("power-button pressed")
          .contains("the guest powered off (guest-shutdown); stopped on request")
          .doesNotContain("terminating on signal");
    }
  }

  @Test
  void qemuStoppedFromOutsideIsNotAPowerOff() throws Exception {
    TestVm vm = vm(tmp, TestGuests.kernelBootGuest(), kernelVm("outside", ""));
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      ProcessHandle.of(launcher.qemuPid().orElseThrow()).orElseThrow().destroy(); // SIGTERM
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.CRASHED);
      assertThat(launcher.output()).contains("stopped by a signal from outside the launcher");
    }
  }

  @Test
  void secondInterruptStopsAtOnce() throws Exception {
    TestVm vm =
        vm(
            tmp,
            TestGuests.ignoringPowerButtonGuest(),
            kernelVm("impatient", "terminationGracePeriodSeconds: 600"));
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      launcher.signal("INT");
      launcher.awaitLine("powering the guest down", EXIT);
      launcher.signal("INT");
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.STOPPED_HARD);
      assertThat(launcher.output()).contains("second stop request");
    }
  }

  @Test
  void aStopRequestedBeforeQemuStartsMeansQemuIsNeverStarted() throws Exception {
    TestVm vm =
        vm(tmp, TestGuests.kernelBootGuest(), kernelVm("early", "")).runtimeDir(tmp.resolve("run"));
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    Launcher launcher = vm.inProcess(log);
    // SIGTERM while the launcher still prepares (the kubelet deleted the pod at once).
    launcher.requestStop();
    assertThat(launcher.run()).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
    assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("stop requested before QEMU started; not starting it")
        .doesNotContain("QEMU started (pid");
  }

  @Test
  void qemuCrashIsReportedWithNonZeroExit() throws Exception {
    TestVm vm = vm(tmp, TestGuests.kernelBootGuest(), kernelVm("crashy", ""));
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      long qemu = launcher.qemuPid().orElseThrow();
      ProcessHandle.of(qemu).orElseThrow().destroyForcibly();
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.CRASHED);
      assertThat(launcher.output()).contains("QEMU was killed by signal 9");
      assertThat(Files.readString(vm.terminationLog())).contains("killed by signal 9");
    }
  }

  @Test
  void qemuThatCannotStartIsAStartFailure() throws Exception {
    TestVm vm =
        vm(tmp, TestGuests.kernelBootGuest(), kernelVm("nostart", ""))
            .env("FASTVM_QEMU", "/bin/false");
    try (LauncherProcess launcher = vm.start()) {
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.START_FAILED);
      assertThat(Files.readString(vm.terminationLog())).contains("QEMU failed to start");
    }
  }

  @Test
  void invalidInputNamesEveryProblemAndChangesNothing() throws Exception {
    GuestImage guest = TestGuests.kernelBootGuest();
    TestVm vm =
        new TestVm(tmp)
            .volume("kernel", guest.kernel())
            .volume("iso", tmp.resolve("missing.iso"))
            .manifest(
                """
                apiVersion: fastvm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: broken}
                spec:
                  accelerator: tcg
                  memory: 256Mi
                  firmware: {type: bios, secureBoot: true}
                  tpm: {enabled: true}
                  kernelBoot: {kernel: kernel, initrd: initrd}
                  disks:
                    - {name: install, volume: iso, cdrom: true, bus: virtio}
                    - {name: root, volume: unbound}
                  networks:
                    - {name: lan, type: macvtap, networkAttachment: lan}
                """);
    try (LauncherProcess launcher = vm.start()) {
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.INVALID);
      String log = Files.readString(vm.terminationLog());
      assertThat(log)
          .contains("secureBoot needs firmware type uefi")
          .contains("kernelBoot.initrd: Volume initrd is not bound")
          .contains("disk install: a CD-ROM needs bus sata or scsi")
          .contains("missing.iso does not exist")
          .contains("disk root: Volume unbound is not bound")
          .contains("network lan: type macvtap is not supported yet");
    }
    assertThat(vm.stateDir()).doesNotExist();
  }

  @Test
  void killedLauncherTakesQemuAndSwtpmWithIt() throws Exception {
    TestVm vm = vm(tmp, TestGuests.kernelBootGuest(), kernelVm("orphan", "tpm: {enabled: true}"));
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      long qemu = launcher.qemuPid().orElseThrow();
      List<ProcessHandle> swtpm =
          ProcessHandle.allProcesses()
              .filter(
                  p ->
                      p.info()
                          .arguments()
                          .map(a -> String.join(" ", a).contains(vm.runtimeDir().toString()))
                          .orElse(false))
              .filter(p -> p.info().command().map(c -> c.endsWith("swtpm")).orElse(false))
              .toList();
      assertThat(swtpm).hasSize(1);
      launcher.signal("KILL");
      launcher.awaitExit(EXIT);
      assertGone(ProcessHandle.of(qemu));
      assertGone(Optional.of(swtpm.get(0)));
    }
  }

  private static void assertGone(Optional<ProcessHandle> process) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (process.map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(process.map(ProcessHandle::isAlive).orElse(false))
        .as("process %s outlived the launcher", process.map(ProcessHandle::pid))
        .isFalse();
  }

  @Test
  void tpmStateSurvivesRestartsAndStartsOverWhenFresh() throws Exception {
    GuestImage guest = TestGuests.kernelBootGuest();
    Path state = tmp.resolve("state");
    TestBudget budget = TestBudget.of(Duration.ofMinutes(6), "three boots with TPM state");
    int first = bootAndReadResetCount(guest, tmp.resolve("boot1"), state, budget);
    int second = bootAndReadResetCount(guest, tmp.resolve("boot2"), state, budget);
    int fresh =
        bootAndReadResetCount(guest, tmp.resolve("boot3"), tmp.resolve("fresh-state"), budget);
    assertThat(second).isGreaterThan(first);
    assertThat(fresh).isEqualTo(first);
    assertThat(state.resolve("tpm"))
        .isDirectoryContaining(p -> p.getFileName().toString().startsWith("tpm2-"));
  }

  private int bootAndReadResetCount(GuestImage guest, Path dir, Path state, TestBudget budget)
      throws Exception {
    TestVm vm = vm(dir, guest, kernelVm("sealed", "tpm: {enabled: true}")).stateDir(state);
    try (LauncherProcess launcher = vm.start()) {
      String line =
          launcher.awaitLine(l -> l.contains("FASTVM-GUEST tpm="), budget, "the guest's TPM line");
      assertThat(line).contains("tpm=present resetCount=");
      int count = Integer.parseInt(line.substring(line.indexOf("resetCount=") + 11).strip());
      launcher.awaitLine("power-button watching", budget);
      launcher.signal("TERM");
      assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
      return count;
    }
  }
}
