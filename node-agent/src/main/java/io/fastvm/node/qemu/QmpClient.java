package io.fastvm.node.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A small QMP client over a unix socket: the capabilities handshake, commands with ids answered
 * asynchronously, and events delivered to listeners on the reader thread. {@link #awaitEnd} tells
 * when every event QEMU sent before it closed the connection has been delivered.
 */
public final class QmpClient implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final SocketChannel channel;
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final Consumer<JsonNode> events;
  private final AtomicLong ids = new AtomicLong();
  private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private QmpClient(SocketChannel channel, Consumer<JsonNode> events) {
    this.channel = channel;
    this.events = events;
    Thread reader = new Thread(this::readLoop, "qmp-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Connects once QEMU listens, then negotiates capabilities.
   *
   * @param stillWorthTrying false once waiting makes no sense (QEMU exited)
   */
  public static QmpClient connect(Path socket, Duration timeout, BooleanSupplier stillWorthTrying)
      throws QmpException, InterruptedException {
    return connect(socket, timeout, stillWorthTrying, event -> {});
  }

  /**
   * Connects as {@link #connect(Path, Duration, BooleanSupplier)} does, with {@code events}
   * receiving every event (on the reader thread) from the first one on: a listener added after the
   * connection could miss an early SHUTDOWN.
   */
  public static QmpClient connect(
      Path socket, Duration timeout, BooleanSupplier stillWorthTrying, Consumer<JsonNode> events)
      throws QmpException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
    while (true) {
      SocketChannel channel = null;
      try {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(address);
        QmpClient client = new QmpClient(channel, events);
        client.handshake(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000_000L)));
        return client;
      } catch (IOException e) {
        if (channel != null) {
          try {
            channel.close();
          } catch (IOException ignored) {
            // nothing to add
          }
        }
        if (e instanceof QmpException q && !(q.getCause() instanceof IOException)) {
          throw q;
        }
        if (System.nanoTime() > deadline || !stillWorthTrying.getAsBoolean()) {
          throw new QmpException("cannot connect to QMP at " + socket + ": " + e.getMessage(), e);
        }
        Thread.sleep(5);
      }
    }
  }

  private void handshake(Duration timeout) throws QmpException, InterruptedException {
    try {
      greeting.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      close();
      throw new QmpException("no QMP greeting", new IOException(e));
    }
    execute("qmp_capabilities", null, timeout);
  }

  /** Runs a command and returns its {@code return} value. */
  public JsonNode execute(String command, ObjectNode arguments, Duration timeout)
      throws QmpException, InterruptedException {
    String id = "fastvm-" + ids.incrementAndGet();
    ObjectNode request = MAPPER.createObjectNode().put("execute", command).put("id", id);
    if (arguments != null) {
      request.set("arguments", arguments);
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      byte[] bytes = (MAPPER.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
      synchronized (channel) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
      JsonNode response = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.has("error")) {
        JsonNode error = response.get("error");
        throw new QmpException(
            command
                + " failed: "
                + error.path("class").asText()
                + ": "
                + error.path("desc").asText());
      }
      return response.path("return");
    } catch (IOException e) {
      throw e instanceof QmpException q ? q : new QmpException(command + ": " + e.getMessage(), e);
    } catch (ExecutionException e) {
      throw new QmpException(command + ": connection closed", e.getCause());
    } catch (TimeoutException e) {
      throw new QmpException(command + ": no answer within " + timeout.toMillis() + " ms");
    } finally {
      pending.remove(id);
    }
  }

  /**
   * {@code query-status}: the run state, e.g. {@code running}, {@code paused}, {@code shutdown}.
   */
  public String queryStatus(Duration timeout) throws QmpException, InterruptedException {
    return execute("query-status", null, timeout).path("status").asText();
  }

  /** Presses the ACPI power button. */
  public void systemPowerdown(Duration timeout) throws QmpException, InterruptedException {
    execute("system_powerdown", null, timeout);
  }

  /** Asks QEMU to exit at once (the guest gets no say). */
  public void quit(Duration timeout) throws QmpException, InterruptedException {
    execute("quit", null, timeout);
  }

  /** {@code query-blockstats}: I/O counters per block device. */
  public JsonNode queryBlockstats(Duration timeout) throws QmpException, InterruptedException {
    return execute("query-blockstats", null, timeout);
  }

  private void readLoop() {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode message = MAPPER.readTree(line);
        if (message.has("QMP")) {
          greeting.complete(message);
        } else if (message.has("event")) {
          try {
            events.accept(message);
          } catch (RuntimeException e) {
            System.err.println("fastvm: QMP event listener failed: " + e);
          }
        } else if (message.has("id")) {
          CompletableFuture<JsonNode> answer = pending.get(message.get("id").asText());
          if (answer != null) {
            answer.complete(message);
          }
        }
      }
    } catch (IOException e) {
      // The connection ended: QEMU exited or closed it.
    } finally {
      IOException gone = new IOException("QMP connection closed");
      greeting.completeExceptionally(gone);
      pending.values().forEach(f -> f.completeExceptionally(gone));
      ended.complete(null);
    }
  }

  /**
   * Waits until QEMU closed the connection and every event it sent before was delivered to the
   * listeners. A process that exited closed its end, so after its exit this returns at once, with
   * all of its events seen: decisions based on them (why the guest stopped) are not left to chance.
   *
   * @return false if the connection is still open after {@code timeout}
   */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    try {
      ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("never completed exceptionally", e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
