package io.fastvm.node.launcher;

import io.fastvm.contract.LauncherInvocation.ExitCode;

/**
 * How a run of QEMU ended, as the launcher saw it once QEMU exited and its QMP connection closed.
 * {@link #verdict()} turns it into the launcher's exit code, from which the operator decides
 * restarts (RerunOnFailure), so it is a pure function of these facts.
 *
 * @param exitStatus QEMU's exit status (128 + N for signal N)
 * @param shutdownReason the reason of QEMU's SHUTDOWN event ({@code guest-shutdown}, {@code
 *     host-qmp-quit}, {@code host-signal}, ...), or null when QEMU sent none
 * @param stopRequests how many times the launcher was asked to stop (SIGTERM, Ctrl-C)
 * @param stoppedHard the launcher quit or killed QEMU because the guest did not power off
 * @param gracePeriodSeconds the VM's grace period, for the message
 * @param stderrTail QEMU's last stderr lines, or null
 */
public record QemuEnding(
    int exitStatus,
    String shutdownReason,
    int stopRequests,
    boolean stoppedHard,
    long gracePeriodSeconds,
    String stderrTail) {

  /**
   * The exit code and what the launcher says about it; {@code failure} goes to the termination log.
   */
  public record Verdict(int exitCode, String message, boolean failure) {}

  public Verdict verdict() {
    if (stoppedHard) {
      return failure(
          ExitCode.STOPPED_HARD,
          stopRequests >= 2
              ? "stopped hard on a second stop request before the guest powered off"
              : "the guest did not power off within the grace period ("
                  + gracePeriodSeconds
                  + " s); QEMU was stopped hard");
    }
    if (exitStatus == 0 && "host-signal".equals(shutdownReason) && stopRequests == 0) {
      return failure(
          ExitCode.CRASHED,
          "QEMU was stopped by a signal from outside the launcher; the guest did not power off");
    }
    if (exitStatus == 0) {
      return new Verdict(
          ExitCode.POWERED_OFF,
          "the guest powered off"
              + (shutdownReason == null ? "" : " (" + shutdownReason + ")")
              + "; "
              + (stopRequests > 0 ? "stopped on request" : "by itself"),
          false);
    }
    String how =
        exitStatus > 128
            ? "QEMU was killed by signal " + (exitStatus - 128)
            : "QEMU exited with status " + exitStatus;
    return failure(ExitCode.CRASHED, how + ": " + (stderrTail == null ? "no output" : stderrTail));
  }

  private static Verdict failure(int code, String message) {
    return new Verdict(code, message, true);
  }
}
