package io.fastvm.node.console;

import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.contract.console.EndpointProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

/**
 * The console endpoint of one VM pod: a mutual-TLS listener that lets only the console-proxy (a
 * client certificate from the console CA carrying {@link ConsoleIdentities#PROXY}) reach the VNC,
 * SPICE and serial unix sockets in the runtime dir, one socket connection per TLS connection (see
 * {@link EndpointProtocol}). Plain JDK with virtual threads so the launcher can embed it.
 */
public final class ConsoleEndpoint implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ConsoleEndpoint.class.getName());
  private static final int BUFFER = 256 * 1024;
  private static final String[] CIPHER_SUITES = {
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"
  };

  private final EndpointSettings settings;
  private final ServerSocket server;
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  private ConsoleEndpoint(EndpointSettings settings, ServerSocket server) {
    this.settings = settings;
    this.server = server;
    this.acceptor = Thread.ofVirtual().name("console-endpoint-accept").unstarted(this::acceptLoop);
  }

  /**
   * Binds and starts accepting; fails at once on a busy port. The TLS material was checked when
   * {@link EndpointSettings#tls()} was made; each accepted connection gets the current context, so
   * a renewed certificate is used without a restart.
   */
  public static ConsoleEndpoint start(EndpointSettings settings) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    try {
      server.bind(settings.bind(), 64);
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen on " + settings.bind() + ": " + e.getMessage(), e);
    }
    ConsoleEndpoint endpoint = new ConsoleEndpoint(settings, server);
    endpoint.acceptor.start();
    return endpoint;
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket plain = server.accept();
        Thread.ofVirtual().name("console-endpoint-conn").start(() -> serve(plain));
      } catch (IOException e) {
        if (!closed) {
          LOG.log(Level.WARNING, "console endpoint: accept failed: " + e.getMessage());
        }
      }
    }
  }

  /** TLS 1.3 server side over an accepted connection, a client certificate required. */
  private SSLSocket layerTls(Socket plain) throws IOException {
    SSLSocket socket =
        (SSLSocket) settings.tls().context().getSocketFactory().createSocket(plain, null, true);
    socket.setUseClientMode(false);
    socket.setEnabledProtocols(new String[] {"TLSv1.3"});
    // AES-128-GCM first: as safe here as AES-256 and markedly cheaper per byte (the JDK would
    // pick AES-256 first).
    socket.setEnabledCipherSuites(CIPHER_SUITES);
    socket.setNeedClientAuth(true);
    return socket;
  }

  private void serve(Socket plain) {
    open.add(plain);
    SSLSocket socket = null;
    SocketChannel backend = null;
    try {
      plain.setTcpNoDelay(true);
      socket = layerTls(plain);
      open.remove(plain);
      open.add(socket);
      socket.setSoTimeout((int) settings.handshakeTimeout().toMillis());
      socket.startHandshake();
      if (!clientIsProxy(socket)) {
        LOG.log(Level.WARNING, "console endpoint: refused a client without the proxy's identity");
        return;
      }
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      Optional<ConsoleChannel> channel = readLine(in).flatMap(EndpointProtocol::parseRequest);
      String socketName = channel.map(settings.sockets()::get).orElse(null);
      if (socketName == null) {
        out.write(EndpointProtocol.error(EndpointProtocol.ERR_BAD_REQUEST));
        return;
      }
      try {
        backend =
            SocketChannel.open(
                UnixDomainSocketAddress.of(settings.runtimeDir().resolve(socketName)));
      } catch (IOException e) {
        out.write(EndpointProtocol.error(EndpointProtocol.ERR_UNAVAILABLE));
        return;
      }
      open.add(backend);
      out.write(EndpointProtocol.ok());
      socket.setSoTimeout(0);
      pump(socket, in, out, backend);
    } catch (SSLException | SocketException e) {
      // Handshake refused (no or foreign client certificate), or the peer went away.
      LOG.log(Level.DEBUG, "console endpoint: connection ended: " + e.getMessage());
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "console endpoint: connection failed: " + e.getMessage());
    } finally {
      closeQuietly(plain);
      closeQuietly(socket);
      closeQuietly(backend);
    }
  }

  /**
   * Copies both ways until either side ends, then closes both (VNC/SPICE/serial need no
   * half-close).
   */
  private void pump(SSLSocket socket, InputStream in, OutputStream out, SocketChannel backend) {
    Thread toVm =
        Thread.ofVirtual()
            .name("console-endpoint-to-vm")
            .start(
                () -> {
                  byte[] buffer = new byte[BUFFER];
                  try {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                      ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                      while (chunk.hasRemaining()) {
                        backend.write(chunk);
                      }
                    }
                  } catch (IOException e) {
                    // the other direction notices the close below
                  } finally {
                    closeQuietly(backend);
                    closeQuietly(socket);
                  }
                });
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    try {
      while (backend.read(buffer) >= 0) {
        out.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
    } catch (IOException e) {
      // closed by the other direction or by the peer
    } finally {
      closeQuietly(socket);
      closeQuietly(backend);
    }
    try {
      toVm.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean clientIsProxy(SSLSocket socket) {
    try {
      Certificate[] chain = socket.getSession().getPeerCertificates();
      return chain.length > 0
          && chain[0] instanceof X509Certificate leaf
          && ConsoleIdentities.carries(leaf, settings.clientIdentity());
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  /** Reads one request line byte by byte, so no console byte after it is consumed here. */
  private static Optional<String> readLine(InputStream in) throws IOException {
    byte[] line = new byte[EndpointProtocol.MAX_LINE];
    for (int i = 0; i < line.length; i++) {
      int b = in.read();
      if (b < 0) {
        return Optional.empty();
      }
      if (b == '\n') {
        return Optional.of(new String(line, 0, i, StandardCharsets.US_ASCII));
      }
      line[i] = (byte) b;
    }
    return Optional.empty();
  }

  private void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    open.remove(closeable);
    try {
      closeable.close();
    } catch (Exception e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    for (AutoCloseable connection : Set.copyOf(open)) {
      closeQuietly(connection);
    }
    acceptor.interrupt();
  }

  /** For logs and tests. */
  @Override
  public String toString() {
    return "ConsoleEndpoint[" + address() + " → " + settings.runtimeDir() + "]";
  }
}
