package io.fastvm.node.volume.populate;

import io.fastvm.contract.volume.PopulateProgress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.DoubleConsumer;

/**
 * Prints {@link PopulateProgress} lines, at most one per interval (and always the last one of a
 * step), so that the pod's log stays small however fast the bytes come.
 */
public final class ProgressReporter {
  private final PrintStream out;
  private final long intervalNanos;
  private long lastPrint;
  private boolean printed;

  public ProgressReporter(PrintStream out, Duration interval) {
    this.out = out;
    this.intervalNanos = interval.toNanos();
  }

  /** Reports nothing. */
  public static ProgressReporter none() {
    return new ProgressReporter(null, Duration.ZERO);
  }

  /** A step progressed; printed unless the last line is younger than the interval. */
  public synchronized void update(long done, long total) {
    long now = System.nanoTime();
    if (printed && now - lastPrint < intervalNanos) {
      return;
    }
    print(done, total);
    lastPrint = now;
    printed = true;
  }

  /** A step ended: its last line, always printed. */
  public synchronized void finish(long done, long total) {
    print(done, total);
    lastPrint = System.nanoTime();
    printed = true;
  }

  /** Progress reported as a fraction done (qemu-img's), counted in {@code total} bytes. */
  public DoubleConsumer fractionOf(long total) {
    return fraction -> update(Math.round(fraction * total), total);
  }

  private void print(long done, long total) {
    if (out != null) {
      out.println(new PopulateProgress(done, total).toLine());
      out.flush();
    }
  }
}
