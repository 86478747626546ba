package io.fastvm.node.guestagent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of qemu-guest-agent on the VM's guest agent socket (the launcher's {@code
 * guest-agent.sock}, a virtio-serial port QEMU serves). Unlike QMP the agent has no greeting and
 * keeps no per-connection state: whatever an earlier client left unread may still come, and the
 * agent may not run at all. So every command is preceded by {@code guest-sync-delimited} with a
 * fresh id: the agent answers it with a 0xFF byte (which resets the parser) and the id, and only
 * what follows belongs to this client. Commands run one at a time.
 */
public final class GuestAgentClient implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AtomicLong SYNC_IDS = new AtomicLong(System.nanoTime() & 0xffffffL);

  private final SocketChannel channel;
  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();

  private GuestAgentClient(SocketChannel channel) {
    this.channel = channel;
    Thread reader = new Thread(this::readLoop, "guest-agent-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects to the socket; the agent in the guest may still be absent (see {@link #sync}). */
  public static GuestAgentClient connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return new GuestAgentClient(channel);
  }

  /**
   * Runs {@code command} and returns its {@code return} value; throws when the agent does not
   * answer within {@code timeout} (not running in the guest, or busy) or answers with an error.
   */
  public synchronized JsonNode execute(String command, ObjectNode arguments, Duration timeout)
      throws GuestAgentException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    sync(deadline);
    ObjectNode request = MAPPER.createObjectNode().put("execute", command);
    if (arguments != null) {
      request.set("arguments", arguments);
    }
    send(request);
    JsonNode response = next(deadline, command);
    if (response.has("error")) {
      JsonNode error = response.get("error");
      throw new GuestAgentException(
          command
              + " failed: "
              + error.path("class").asText()
              + ": "
              + error.path("desc").asText());
    }
    return response.path("return");
  }

  /** Discards what is left of earlier exchanges: waits for the answer to a fresh sync id. */
  private void sync(long deadline) throws GuestAgentException, InterruptedException {
    long id = SYNC_IDS.incrementAndGet();
    ObjectNode request = MAPPER.createObjectNode().put("execute", "guest-sync-delimited");
    request.putObject("arguments").put("id", id);
    send(request);
    while (true) {
      JsonNode message = next(deadline, "guest-sync-delimited");
      if (message.path("return").isIntegralNumber() && message.path("return").asLong() == id) {
        return;
      }
    }
  }

  private void send(ObjectNode request) throws GuestAgentException {
    try {
      ByteBuffer bytes =
          ByteBuffer.wrap(
              (MAPPER.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      throw new GuestAgentException("cannot write to the guest agent: " + e.getMessage(), e);
    }
  }

  private JsonNode next(long deadline, String waitingFor)
      throws GuestAgentException, InterruptedException {
    JsonNode message = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    if (message == null) {
      throw new GuestAgentException(
          "the guest agent did not answer " + waitingFor + " (is qemu-guest-agent running?)");
    }
    if (message.isMissingNode()) {
      messages.add(message); // stays closed for every later call
      throw new GuestAgentException("the guest agent's socket closed");
    }
    return message;
  }

  /** Splits the stream into JSON messages; 0xFF (the sync delimiter) drops a partial one. */
  private void readLoop() {
    try (InputStream in = Channels.newInputStream(channel)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b == 0xFF) {
          line.reset();
        } else if (b == '\n') {
          String text = line.toString(StandardCharsets.UTF_8).strip();
          line.reset();
          if (!text.isEmpty()) {
            try {
              messages.add(MAPPER.readTree(text));
            } catch (IOException e) {
              // Garbage from a half-read earlier exchange: the next sync skips past it.
            }
          }
        } else {
          line.write(b);
        }
      }
    } catch (IOException e) {
      // Closed.
    } finally {
      messages.add(MAPPER.missingNode());
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
