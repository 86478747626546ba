package io.fastvm.node.launcher;

import io.fastvm.contract.LauncherInvocation;
import java.util.List;

/**
 * Why the launcher stops, with the exit code it stops with ({@link LauncherInvocation.ExitCode}).
 */
public class LaunchException extends Exception {
  private final int exitCode;

  public LaunchException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public LaunchException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** Invalid input or a missing prerequisite, found before anything was started or changed. */
  public static LaunchException invalid(String message) {
    return new LaunchException(LauncherInvocation.ExitCode.INVALID, message);
  }

  /** All problems at once, so a user fixes a manifest in one go. */
  public static LaunchException invalid(List<String> problems) {
    return invalid(String.join("\n", problems));
  }

  public int exitCode() {
    return exitCode;
  }
}
