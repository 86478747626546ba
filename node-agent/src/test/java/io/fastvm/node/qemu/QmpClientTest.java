package io.fastvm.node.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QMP client against a scripted peer on a unix socket (QEMU's side of the protocol, written out
 * here so the ordering can be controlled; the launcher tests use real QEMU).
 */
class QmpClientTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void awaitEndReturnsOnlyAfterEveryEventSentBeforeTheCloseWasDelivered() throws Exception {
    Path socket = tmp.resolve("qmp.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread peer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (SocketChannel qemu = server.accept()) {
                      write(qemu, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}");
                      var in =
                          new BufferedReader(
                              new InputStreamReader(
                                  Channels.newInputStream(qemu), StandardCharsets.UTF_8));
                      JsonNode request = JSON.readTree(in.readLine());
                      write(
                          qemu, "{\"return\": {}, \"id\": \"" + request.get("id").asText() + "\"}");
                      write(qemu, "{\"event\": \"STOP\", \"data\": {}}");
                      write(
                          qemu,
                          "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\":"
                              + " \"guest-shutdown\"}}");
                      // Closing here is QEMU exiting right after it sent its last event.
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  });
      CountDownLatch release = new CountDownLatch(1);
      List<String> seen = new CopyOnWriteArrayList<>();
      // The listener is there from the start: the peer sends its events right away.
      try (QmpClient client =
          QmpClient.connect(
              socket,
              Duration.ofSeconds(10),
              () -> true,
              event -> {
                try {
                  // Holds the reader thread, as a busy machine may.
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                seen.add(event.path("event").asText());
              })) {
        peer.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(peer.isAlive()).as("peer finished and closed").isFalse();
        // The peer is gone, but its events are still being delivered: not ended yet.
        assertThat(client.awaitEnd(Duration.ofMillis(200))).isFalse();
        release.countDown();
        assertThat(client.awaitEnd(Duration.ofSeconds(10))).isTrue();
        assertThat(seen).containsExactly("STOP", "SHUTDOWN");
      }
    }
  }

  private static void write(SocketChannel channel, String line) throws java.io.IOException {
    ByteBuffer buffer = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
