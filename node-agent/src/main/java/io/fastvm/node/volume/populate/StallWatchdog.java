package io.fastvm.node.volume.populate;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body that sends nothing for the stall timeout: HttpClient's request timeout
 * covers only the headers, and a blocked read would wait forever. Closing the stream wakes the read
 * with an IOException.
 */
final class StallWatchdog implements AutoCloseable {
  private final long timeoutNanos;
  private final ScheduledExecutorService timer;
  private volatile InputStream watched;
  private volatile long lastActivity;
  private volatile boolean stalled;

  StallWatchdog(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("download-stall-watchdog").daemon().factory());
    long period = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
    timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  void watch(InputStream body) {
    stalled = false;
    lastActivity = System.nanoTime();
    watched = body;
  }

  void unwatch() {
    watched = null;
  }

  void touch() {
    lastActivity = System.nanoTime();
  }

  boolean stalled() {
    return stalled;
  }

  private void check() {
    InputStream body = watched;
    if (body != null && System.nanoTime() - lastActivity > timeoutNanos) {
      stalled = true;
      watched = null;
      try {
        body.close();
      } catch (IOException e) {
        // closing is all that is wanted
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
