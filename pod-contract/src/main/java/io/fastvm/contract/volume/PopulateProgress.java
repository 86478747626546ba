package io.fastvm.contract.volume;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One progress line of the populator on stdout, {@code progress <bytesDone> <bytesTotal>}, which
 * the operator reads from the pod's log. The bytes are those of the current step: the download,
 * then a conversion (if any) counted in the image's virtual size, or a copy.
 *
 * @param bytesTotal the step's size, or -1 when it is not known (a download without Content-Length)
 */
public record PopulateProgress(long bytesDone, long bytesTotal) {

  private static final String PREFIX = "progress ";
  private static final Pattern LINE =
      Pattern.compile("progress (0|[1-9][0-9]{0,18}) (-1|0|[1-9][0-9]{0,18})");

  public PopulateProgress {
    if (bytesDone < 0 || bytesTotal < -1) {
      throw new IllegalArgumentException(
          "not a progress: " + bytesDone + " of " + bytesTotal + " bytes");
    }
  }

  /** The line the populator prints. */
  public String toLine() {
    return PREFIX + bytesDone + " " + bytesTotal;
  }

  /** Percent done (0 to 100), or -1 when the total is not known. */
  public int percent() {
    if (bytesTotal < 0) {
      return -1;
    }
    if (bytesTotal == 0 || bytesDone >= bytesTotal) {
      return 100;
    }
    return (int) (bytesDone * 100.0 / bytesTotal);
  }

  /**
   * Reads one log line; anything that is not a progress line (other output, a line cut in the
   * middle) is empty.
   */
  public static Optional<PopulateProgress> parse(String line) {
    Matcher m = LINE.matcher(line.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new PopulateProgress(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // a number beyond Long.MAX_VALUE
    }
  }

  /** The last progress line in a log (e.g. the tail of the pod's log), if any. */
  public static Optional<PopulateProgress> last(String log) {
    String[] lines = log.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      Optional<PopulateProgress> progress = parse(lines[i]);
      if (progress.isPresent()) {
        return progress;
      }
    }
    return Optional.empty();
  }
}
