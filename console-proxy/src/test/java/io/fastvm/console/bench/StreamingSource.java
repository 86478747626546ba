package io.fastvm.console.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A synthetic VNC server for throughput: greets with the RFB version, then sends raw framebuffer
 * updates (a 1280x800, 32 bpp rectangle of incompressible pixels each) back to back until the
 * client goes away. What it sends is the same whichever proxy reads it.
 */
final class StreamingSource implements AutoCloseable {
  static final int WIDTH = 1280;
  static final int HEIGHT = 800;
  private final ServerSocketChannel server;
  private final byte[] update;

  StreamingSource(Path path) throws IOException {
    Files.deleteIfExists(path);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    ByteBuffer frame = ByteBuffer.allocate(4 + 12 + WIDTH * HEIGHT * 4);
    frame.put((byte) 0).put((byte) 0).putShort((short) 1); // FramebufferUpdate, 1 rectangle
    frame.putShort((short) 0).putShort((short) 0).putShort((short) WIDTH).putShort((short) HEIGHT);
    frame.putInt(0); // raw encoding
    byte[] pixels = new byte[WIDTH * HEIGHT * 4];
    new Random(42).nextBytes(pixels);
    frame.put(pixels);
    update = frame.array();
    Thread.ofVirtual().start(this::acceptLoop);
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        Thread.ofVirtual().start(() -> serve(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(SocketChannel client) {
    try (client) {
      client.write(ByteBuffer.wrap("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII)));
      while (true) {
        ByteBuffer frame = ByteBuffer.wrap(update);
        while (frame.hasRemaining()) {
          client.write(frame);
        }
      }
    } catch (IOException e) {
      // client gone
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
