package io.fastvm.console.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what one class logs through {@link System.Logger} (the JDK's default: java.util.logging,
 * the same logger name), so a test can wait for a line instead of sleeping.
 */
public final class LogCapture implements AutoCloseable {
  // Held strongly: java.util.logging forgets loggers (and their handlers) nobody references.
  private final Logger logger;
  private final List<String> messages = new ArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (messages) {
            messages.add(String.valueOf(record.getMessage()));
            messages.notifyAll();
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  public LogCapture(Class<?> source) {
    logger = Logger.getLogger(source.getName());
    logger.addHandler(handler);
  }

  /** How many messages so far contain {@code text}. */
  public int count(String text) {
    synchronized (messages) {
      return (int) messages.stream().filter(m -> m.contains(text)).count();
    }
  }

  /** Waits until more than {@code seen} messages contain {@code text}. */
  public void awaitMoreThan(String text, int seen, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (messages) {
      while (count(text) <= seen) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no new log line with '" + text + "' within " + timeout + "; lines: " + messages);
        }
        messages.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
