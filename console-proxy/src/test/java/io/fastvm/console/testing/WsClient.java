package io.fastvm.console.testing;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A test WebSocket client that collects what it receives (JDK HttpClient WebSocket). */
public final class WsClient implements WebSocket.Listener {
  private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
  private final StringBuilder text = new StringBuilder();
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile String closeReason;
  public WebSocket socket;

  @Override
  public void onOpen(WebSocket webSocket) {
    this.socket = webSocket;
    webSocket.request(Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    synchronized (binary) {
      binary.write(bytes, 0, bytes.length);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    synchronized (text) {
      text.append(data);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeReason = reason;
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
  }

  public byte[] binary() {
    synchronized (binary) {
      return binary.toByteArray();
    }
  }

  public String text() {
    synchronized (text) {
      return text.toString();
    }
  }

  public String closeReason() {
    return closeReason;
  }

  public void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  public void sendText(String value) {
    socket.sendText(value, true).join();
  }

  public byte[] awaitBinary(Duration timeout, Predicate<byte[]> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      byte[] now = binary();
      if (condition.test(now)) {
        return now;
      }
      sleep();
    }
    throw new AssertionError("did not receive the expected bytes; got " + binary().length);
  }

  /**
   * Waits until the received bytes satisfy {@code condition} (true) or the WebSocket closes without
   * them (false).
   */
  public boolean awaitBinaryOrClose(Duration timeout, Predicate<byte[]> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean ended = closed.isDone();
      if (condition.test(binary())) {
        return true;
      }
      if (ended) {
        return false;
      }
      sleep();
    }
    throw new AssertionError(
        "neither the expected bytes nor a close within " + timeout + "; got " + binary().length);
  }

  public String awaitText(Duration timeout, Predicate<String> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String now = text();
      if (condition.test(now)) {
        return now;
      }
      sleep();
    }
    throw new AssertionError("did not receive the expected text; got: " + text());
  }

  public int awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the WebSocket was not closed within " + timeout, e);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
