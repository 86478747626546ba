package io.fastvm.node.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Stands in for QEMU's VNC socket or the launcher's serial socket where a test needs no real guest:
 * greets each client, records what clients send and, in echo mode, sends it back.
 */
public final class FakeConsoleSocket implements AutoCloseable {
  private final ServerSocketChannel server;
  private final byte[] greeting;
  private final boolean echo;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final List<SocketChannel> clients = new CopyOnWriteArrayList<>();
  private volatile int accepted;

  public FakeConsoleSocket(Path path, byte[] greeting, boolean echo) throws IOException {
    Files.deleteIfExists(path);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    this.server.bind(UnixDomainSocketAddress.of(path));
    this.greeting = greeting;
    this.echo = echo;
    Thread.ofVirtual().start(this::acceptLoop);
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        accepted++;
        clients.add(client);
        Thread.ofVirtual().start(() -> serve(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(SocketChannel client) {
    try (client) {
      if (greeting.length > 0) {
        client.write(ByteBuffer.wrap(greeting));
      }
      ByteBuffer buffer = ByteBuffer.allocate(65536);
      while (client.read(buffer) >= 0) {
        buffer.flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        synchronized (received) {
          received.write(bytes);
        }
        if (echo) {
          client.write(ByteBuffer.wrap(bytes));
        }
        buffer.clear();
      }
    } catch (IOException e) {
      // client went away
    } finally {
      clients.remove(client);
    }
  }

  /** Sends bytes to every connected client. */
  public void broadcast(byte[] bytes) throws IOException {
    for (SocketChannel client : clients) {
      client.write(ByteBuffer.wrap(bytes));
    }
  }

  public byte[] received() {
    synchronized (received) {
      return received.toByteArray();
    }
  }

  public int connectionsAccepted() {
    return accepted;
  }

  public int connectionsOpen() {
    return clients.size();
  }

  /** Waits until the received bytes satisfy {@code condition}. */
  public byte[] awaitReceived(Duration timeout, Predicate<byte[]> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      byte[] now = received();
      if (condition.test(now)) {
        return now;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("the console socket did not receive what was expected");
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (SocketChannel client : clients) {
      client.close();
    }
  }
}
