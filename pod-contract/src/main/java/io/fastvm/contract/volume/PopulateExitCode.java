package io.fastvm.contract.volume;

/**
 * Exit codes of the populator ({@code fastvm-populate}). The operator decides from them whether a
 * failed populate Job is worth another try; the reason is in the termination message.
 */
public final class PopulateExitCode {
  private PopulateExitCode() {}

  /** The image is complete and named {@code disk.img}; the result is in the termination message. */
  public static final int DONE = 0;

  /**
   * Invalid input or a permanent failure that another try would meet again: a checksum mismatch, an
   * HTTP 4xx (other than 408 and 429), not a usable image, an image with a backing file or an
   * external data file, an image bigger than the Volume.
   */
  public static final int PERMANENT = 2;

  /**
   * Transient failures (HTTP 5xx, 408, 429, connections cut or stalled) that outlasted the
   * populator's own retries; a later try may succeed.
   */
  public static final int TRANSIENT = 3;

  /** The Volume's PVC is full: the image does not fit. */
  public static final int NO_SPACE = 4;

  /** Whether a later run of the same invocation may succeed. */
  public static boolean retryable(int exitCode) {
    return exitCode == TRANSIENT;
  }
}
