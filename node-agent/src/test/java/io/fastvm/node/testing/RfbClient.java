package io.fastvm.node.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The client side of RFB (VNC) as far as a test needs it to tell a viewer that keeps its session
 * from one the server dropped: the RFB 3.8 handshake with security type None and the ClientInit
 * shared flag of choice, raw encoding only, FramebufferUpdateRequests for the whole screen and
 * whole FramebufferUpdates read. The transport is the caller's: bytes go out through a {@link
 * Sender} and come in through a {@link ChunkStream} that the caller feeds. Every failure is an
 * {@link AssertionError} naming the viewer.
 */
public final class RfbClient {

  /** Sends bytes to the server; an {@link IOException} says the connection is gone. */
  @FunctionalInterface
  public interface Sender {
    void send(byte[] bytes) throws IOException;
  }

  private final String name;
  private final Sender sender;
  private final ChunkStream received;
  private int width;
  private int height;
  private int bytesPerPixel;

  public RfbClient(String name, Sender sender, ChunkStream received) {
    this.name = name;
    this.sender = sender;
    this.received = received;
  }

  /**
   * The handshake up to the ServerInit, then SetEncodings (raw only, so every rectangle's size
   * follows from its geometry); false when the server closed the connection on reading the
   * ClientInit instead of sending the ServerInit.
   */
  public boolean handshake(boolean shared, Duration timeout) {
    String version = new String(readOrFail(12, timeout), StandardCharsets.US_ASCII);
    if (!version.equals("RFB 003.008\n")) {
      throw new AssertionError(name + ": not RFB 3.8: " + version);
    }
    send(version.getBytes(StandardCharsets.US_ASCII));
    byte[] offered = readOrFail(readOrFail(1, timeout)[0] & 0xff, timeout);
    boolean none = false;
    for (byte type : offered) {
      none |= type == 1;
    }
    if (!none) {
      throw new AssertionError(name + ": security type None not offered");
    }
    send(new byte[] {1});
    int result = ByteBuffer.wrap(readOrFail(4, timeout)).getInt();
    if (result != 0) {
      throw new AssertionError(name + ": security handshake failed (result " + result + ")");
    }
    send(new byte[] {(byte) (shared ? 1 : 0)});
    byte[] serverInit = read(24, timeout);
    if (serverInit == null) {
      return false;
    }
    ByteBuffer init = ByteBuffer.wrap(serverInit);
    width = init.getShort(0) & 0xffff;
    height = init.getShort(2) & 0xffff;
    bytesPerPixel = (init.get(4) & 0xff) / 8;
    readOrFail(init.getInt(20), timeout); // the desktop name
    send(ByteBuffer.allocate(8).put((byte) 2).put((byte) 0).putShort((short) 1).putInt(0).array());
    return true;
  }

  /** The screen's width from the ServerInit. */
  public int width() {
    return width;
  }

  /**
   * Asks for the whole screen (not incremental) and reads server messages up to the end of the next
   * FramebufferUpdate (message type 0); returns its number of rectangles.
   */
  public int requestAndReadUpdate(Duration timeout) {
    send(
        ByteBuffer.allocate(10)
            .put((byte) 3)
            .put((byte) 0)
            .putShort((short) 0)
            .putShort((short) 0)
            .putShort((short) width)
            .putShort((short) height)
            .array());
    while (true) {
      int type = readOrFail(1, timeout)[0] & 0xff;
      switch (type) {
        case 0 -> {
          int rectangles = ByteBuffer.wrap(readOrFail(3, timeout)).getShort(1) & 0xffff;
          for (int i = 0; i < rectangles; i++) {
            ByteBuffer rect = ByteBuffer.wrap(readOrFail(12, timeout));
            int encoding = rect.getInt(8);
            if (encoding != 0) {
              throw new AssertionError(name + ": unexpected encoding " + encoding);
            }
            int pixels = (rect.getShort(4) & 0xffff) * (rect.getShort(6) & 0xffff);
            readOrFail(pixels * bytesPerPixel, timeout);
          }
          return rectangles;
        }
        case 2 -> {
          // Bell
        }
        case 3 -> readOrFail(ByteBuffer.wrap(readOrFail(7, timeout)).getInt(3), timeout); // CutText
        default -> throw new AssertionError(name + ": unexpected server message " + type);
      }
    }
  }

  private void send(byte[] bytes) {
    try {
      sender.send(bytes);
    } catch (IOException e) {
      throw new AssertionError(name + " was disconnected (" + e.getMessage() + ")", e);
    }
  }

  private byte[] readOrFail(int n, Duration timeout) {
    byte[] bytes = read(n, timeout);
    if (bytes == null) {
      throw new AssertionError(name + " was disconnected (" + received.endedWith() + ")");
    }
    return bytes;
  }

  /** Exactly {@code n} bytes, or null when the connection ends first. */
  private byte[] read(int n, Duration timeout) {
    try {
      return received.read(n, timeout);
    } catch (TimeoutException e) {
      throw new AssertionError(name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(name + ": interrupted", e);
    }
  }
}
