package io.fastvm.node.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A byte stream that arrives in chunks on another thread (a socket's reader, a WebSocket listener)
 * and is read back exactly so many bytes at a time, waiting for the chunks up to a deadline.
 */
public final class ChunkStream {
  private static final byte[] END = new byte[0];

  private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
  private volatile String endedWith;
  private byte[] current = END;
  private int position;

  /** Appends what is left in {@code data} (a copy of it). */
  public void add(ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    chunks.add(bytes);
  }

  /** Ends the stream, for {@code reason}: reads get what came before, then null. */
  public void end(String reason) {
    endedWith = reason;
    chunks.add(END);
  }

  /** Why the stream ended; null while it has not. */
  public String endedWith() {
    return endedWith;
  }

  /**
   * Exactly {@code n} bytes, or null when the stream ends first.
   *
   * @throws TimeoutException when they do not all come within {@code timeout}
   */
  public byte[] read(int n, Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream out = new ByteArrayOutputStream(n);
    while (out.size() < n) {
      if (position == current.length) {
        byte[] next = chunks.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (next == null) {
          throw new TimeoutException((n - out.size()) + " bytes did not come within " + timeout);
        }
        if (next == END) {
          chunks.add(END);
          return null;
        }
        current = next;
        position = 0;
      }
      int take = Math.min(n - out.size(), current.length - position);
      out.write(current, position, take);
      position += take;
    }
    return out.toByteArray();
  }
}
