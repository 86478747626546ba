package io.fastvm.node.console;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Owns the VM's serial line. QEMU's socket chardev serves one client at a time, yet the console
 * must go to the launcher's stdout ({@code kubectl logs}) and to any number of viewers. So QEMU
 * connects to this hub as a client ({@code backend} socket); the hub mirrors the output to {@code
 * mirror}, replays recent output to each new viewer of {@code clients} socket, broadcasts new
 * output to all of them, and forwards what viewers type to the guest.
 */
public final class SerialHub implements AutoCloseable {

  /** Output a new viewer sees first, so it does not join a blank screen. */
  static final int REPLAY_BYTES = 16 * 1024;

  /** A viewer that falls this many chunks behind is dropped rather than slowing the guest. */
  private static final int CLIENT_QUEUE = 256;

  private final ServerSocketChannel backend;
  private final ServerSocketChannel clients;
  private final OutputStream mirror;
  private final Set<Viewer> viewers = new CopyOnWriteArraySet<>();
  private final byte[] replay = new byte[REPLAY_BYTES];
  private int replayLength;
  private volatile SocketChannel guest;
  private volatile boolean closed;

  private SerialHub(ServerSocketChannel backend, ServerSocketChannel clients, OutputStream mirror) {
    this.backend = backend;
    this.clients = clients;
    this.mirror = mirror;
  }

  /** Listens on both sockets; QEMU may connect to {@code backendSocket} from now on. */
  public static SerialHub listen(Path backendSocket, Path clientSocket, OutputStream mirror)
      throws IOException {
    ServerSocketChannel backend = bind(backendSocket);
    ServerSocketChannel clients;
    try {
      clients = bind(clientSocket);
    } catch (IOException e) {
      backend.close();
      throw e;
    }
    SerialHub hub = new SerialHub(backend, clients, mirror);
    daemon("serial-backend", hub::serveBackend);
    daemon("serial-clients", hub::acceptViewers);
    return hub;
  }

  private static ServerSocketChannel bind(Path socket) throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    return server;
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  private void serveBackend() {
    ByteBuffer buffer = ByteBuffer.allocate(8192);
    while (!closed) {
      try (SocketChannel qemu = backend.accept()) {
        guest = qemu;
        while (true) {
          buffer.clear();
          int n = qemu.read(buffer);
          if (n < 0) {
            break;
          }
          if (n > 0) {
            publish(Arrays.copyOf(buffer.array(), n));
          }
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (closed) {
          return;
        }
      } finally {
        guest = null;
      }
    }
  }

  private void publish(byte[] chunk) {
    try {
      mirror.write(chunk);
      mirror.flush();
    } catch (IOException e) {
      // stdout went away; viewers still get the output
    }
    synchronized (replay) {
      if (chunk.length >= REPLAY_BYTES) {
        System.arraycopy(chunk, chunk.length - REPLAY_BYTES, replay, 0, REPLAY_BYTES);
        replayLength = REPLAY_BYTES;
      } else {
        int keep = Math.min(replayLength, REPLAY_BYTES - chunk.length);
        System.arraycopy(replay, replayLength - keep, replay, 0, keep);
        System.arraycopy(chunk, 0, replay, keep, chunk.length);
        replayLength = keep + chunk.length;
      }
      for (Viewer viewer : viewers) {
        viewer.send(chunk);
      }
    }
  }

  private void acceptViewers() {
    while (!closed) {
      try {
        SocketChannel channel = clients.accept();
        Viewer viewer = new Viewer(channel);
        synchronized (replay) {
          if (replayLength > 0) {
            viewer.send(Arrays.copyOf(replay, replayLength));
          }
          viewers.add(viewer);
        }
        viewer.start();
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  /** Sends bytes to the guest's serial line (what a user types). */
  public void type(byte[] bytes) throws IOException {
    SocketChannel target = guest;
    if (target == null) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    synchronized (this) {
      while (buffer.hasRemaining()) {
        target.write(buffer);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (var server : new ServerSocketChannel[] {backend, clients}) {
      try {
        server.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    SocketChannel g = guest;
    if (g != null) {
      try {
        g.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    viewers.forEach(Viewer::close);
  }

  /** One console viewer: a writer thread with a bounded queue and a reader thread for input. */
  private final class Viewer {
    private final SocketChannel channel;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CLIENT_QUEUE);

    Viewer(SocketChannel channel) {
      this.channel = channel;
    }

    void start() {
      daemon("serial-viewer-out", this::writeLoop);
      daemon("serial-viewer-in", this::readLoop);
    }

    void send(byte[] chunk) {
      if (!queue.offer(chunk)) {
        close();
      }
    }

    private void writeLoop() {
      try {
        while (channel.isOpen()) {
          byte[] chunk = queue.take();
          if (chunk.length == 0) {
            break;
          }
          ByteBuffer buffer = ByteBuffer.wrap(chunk);
          while (buffer.hasRemaining()) {
            channel.write(buffer);
          }
        }
      } catch (IOException | InterruptedException e) {
        close();
      }
    }

    private void readLoop() {
      ByteBuffer buffer = ByteBuffer.allocate(1024);
      try {
        while (true) {
          buffer.clear();
          int n = channel.read(buffer);
          if (n < 0) {
            break;
          }
          type(Arrays.copyOf(buffer.array(), n));
        }
      } catch (IOException e) {
        // viewer gone
      } finally {
        close();
      }
    }

    void close() {
      viewers.remove(this);
      // Wake the writer so its thread ends.
      queue.clear();
      queue.offer(new byte[0]);
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
