package io.fastvm.console.testing;

import io.fastvm.node.testing.ChunkStream;
import io.fastvm.node.testing.RfbClient;
import java.io.IOException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A minimal VNC viewer over a console WebSocket, enough to tell a viewer that keeps its session
 * from one that was dropped: {@link RfbClient} over the WebSocket's binary messages. A viewer that
 * is disconnected fails with an {@link AssertionError} naming it.
 */
public final class RfbViewer implements WebSocket.Listener {
  public final String name;
  private final ChunkStream received = new ChunkStream();
  private final RfbClient rfb;
  private WebSocket socket;

  public RfbViewer(String name) {
    this.name = name;
    this.rfb = new RfbClient(name, this::send, received);
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    socket.request(Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    received.add(data);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    received.end(statusCode + " " + reason);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    received.end("error " + error);
  }

  /**
   * Greets QEMU through the proxy, asks for a {@code shared} session (or exclusive access) and
   * reads the ServerInit.
   */
  public RfbViewer handshake(boolean shared, Duration timeout) {
    if (!rfb.handshake(shared, timeout)) {
      throw new AssertionError(name + " was disconnected (" + received.endedWith() + ")");
    }
    return this;
  }

  public int width() {
    return rfb.width();
  }

  /**
   * Asks for the whole screen (not incremental) and reads server messages up to the end of the next
   * FramebufferUpdate; returns its number of rectangles.
   */
  public int requestAndReadUpdate(Duration timeout) {
    return rfb.requestAndReadUpdate(timeout);
  }

  private void send(byte[] bytes) throws IOException {
    String closedWith = received.endedWith();
    if (closedWith != null) {
      throw new IOException(closedWith);
    }
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  public void close() {
    if (received.endedWith() == null && socket != null) {
      socket.sendClose(1000, "done");
    }
  }
}
