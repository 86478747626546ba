package io.fastvm.console.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cheapest possible WebSocket reader for the throughput runs: a plain socket that performs the
 * opening handshake and then only counts the bytes it receives (frame headers included, under 0.02%
 * of them), so the client spends as little CPU as possible on a machine it shares with the proxies
 * it measures.
 */
final class RawWebSocketReader implements AutoCloseable {
  private final SocketChannel channel;
  private final Thread reader;

  RawWebSocketReader(String url, Map<String, String> headers, AtomicLong counter)
      throws IOException {
    URI uri = URI.create(url);
    channel = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    StringBuilder request =
        new StringBuilder()
            .append("GET ")
            .append(uri.getRawPath())
            .append(" HTTP/1.1\r\nHost: ")
            .append(uri.getHost())
            .append(':')
            .append(uri.getPort())
            .append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13")
            .append("\r\nSec-WebSocket-Protocol: binary\r\nSec-WebSocket-Key: ")
            .append(Base64.getEncoder().encodeToString(key))
            .append("\r\n");
    headers.forEach(
        (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    request.append("\r\n");
    channel.write(ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.US_ASCII)));
    ByteBuffer response = ByteBuffer.allocate(1 << 20);
    String head = "";
    while (!head.contains("\r\n\r\n")) {
      if (channel.read(response) < 0) {
        throw new IOException("closed during the handshake");
      }
      head = new String(response.array(), 0, response.position(), StandardCharsets.ISO_8859_1);
    }
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
    }
    counter.addAndGet(response.position() - (head.indexOf("\r\n\r\n") + 4));
    reader =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
                  try {
                    int n;
                    while ((n = channel.read(buffer)) >= 0) {
                      counter.addAndGet(n);
                      buffer.clear();
                    }
                  } catch (IOException e) {
                    // closed
                  }
                });
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
