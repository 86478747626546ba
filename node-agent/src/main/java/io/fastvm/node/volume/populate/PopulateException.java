package io.fastvm.node.volume.populate;

import io.fastvm.contract.volume.PopulateExitCode;

/** A populator run failed; {@link #exitCode()} says how (a {@link PopulateExitCode}). */
public final class PopulateException extends Exception {
  private final int exitCode;

  private PopulateException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** Invalid input, or a failure that another try would meet again. */
  public static PopulateException permanent(String message) {
    return new PopulateException(PopulateExitCode.PERMANENT, message, null);
  }

  public static PopulateException permanent(String message, Throwable cause) {
    return new PopulateException(PopulateExitCode.PERMANENT, message, cause);
  }

  /** Transient failures that outlasted the retries; a later try may succeed. */
  public static PopulateException transientFailure(String message) {
    return new PopulateException(PopulateExitCode.TRANSIENT, message, null);
  }

  /** The Volume's PVC is full. */
  public static PopulateException noSpace(String message, Throwable cause) {
    return new PopulateException(PopulateExitCode.NO_SPACE, message, cause);
  }

  public int exitCode() {
    return exitCode;
  }
}
