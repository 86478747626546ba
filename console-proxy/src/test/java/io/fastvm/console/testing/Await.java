package io.fastvm.console.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that nothing signals (a counter, a socket count), with a deadline. */
public final class Await {
  private Await() {}

  /** Polls {@code condition} every 20 ms until it holds; fails after {@code timeout}. */
  public static void until(Duration timeout, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(20);
    }
  }
}
