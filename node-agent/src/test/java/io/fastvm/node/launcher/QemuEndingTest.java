package io.fastvm.node.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation.ExitCode;
import org.junit.jupiter.api.Test;

/** The exit code from how QEMU ended: the operator's restart decisions rest on it. */
class QemuEndingTest {

  private static QemuEnding.Verdict verdict(
      int status, String reason, int stopRequests, boolean hard) {
    return new QemuEnding(status, reason, stopRequests, hard, 30, "last line").verdict();
  }

  @Test
  void aGuestThatPowersOffByItselfOrOnRequestIsPoweredOff() {
    assertThat(verdict(0, "guest-shutdown", 0, false))
        .isEqualTo(
            new QemuEnding.Verdict(
                ExitCode.POWERED_OFF, "the guest powered off (guest-shutdown); by itself", false));
    assertThat(verdict(0, "guest-shutdown", 1, false).message())
        .isEqualTo("the guest powered off (guest-shutdown); stopped on request");
  }

  @Test
  void aSignalToQemuFromOutsideIsACrashButNotWhenTheLauncherWasAskedToStop() {
    QemuEnding.Verdict outside = verdict(0, "host-signal", 0, false);
    assertThat(outside.exitCode()).isEqualTo(ExitCode.CRASHED);
    assertThat(outside.failure()).isTrue();
    assertThat(outside.message()).contains("signal from outside the launcher");
    // Ctrl-C in fastvm run reaches QEMU too (same terminal), after the launcher's own request.
    assertThat(verdict(0, "host-signal", 1, false).exitCode()).isEqualTo(ExitCode.POWERED_OFF);
  }

  @Test
  void hardStopsAndKillsAndErrorsAreNamed() {
    assertThat(verdict(0, null, 1, true))
        .isEqualTo(
            new QemuEnding.Verdict(
                ExitCode.STOPPED_HARD,
                "the guest did not power off within the grace period (30 s); QEMU was stopped hard",
                true));
    assertThat(verdict(0, null, 2, true).message()).contains("second stop request");
    assertThat(verdict(137, null, 0, false))
        .isEqualTo(
            new QemuEnding.Verdict(
                ExitCode.CRASHED, "QEMU was killed by signal 9: last line", true));
    assertThat(new QemuEnding(1, null, 0, false, 30, null).verdict().message())
        .isEqualTo("QEMU exited with status 1: no output");
  }
}
