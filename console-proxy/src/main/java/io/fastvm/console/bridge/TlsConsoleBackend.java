package io.fastvm.console.bridge;

import io.fastvm.console.target.VmTarget;
import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.contract.console.EndpointProtocol;
import io.fastvm.contract.console.TlsMaterial;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Reaches a VM pod's console endpoint over mutual TLS (TLS 1.3, the proxy's client certificate,
 * only the console CA trusted), checks that the endpoint's certificate names the VM the session is
 * bound to, then asks for the channel ({@link EndpointProtocol}). The host is always the pod IP the
 * API server gave and the port is fixed by configuration.
 */
public final class TlsConsoleBackend implements ConsoleBackend {
  private final Vertx vertx;
  private final NetClient client;
  private final int port;
  private final long timeoutMillis;
  private volatile TlsMaterial current;

  public TlsConsoleBackend(Vertx vertx, TlsMaterial tls, int port, Duration timeout) {
    this.vertx = vertx;
    this.port = port;
    this.timeoutMillis = timeout.toMillis();
    this.current = tls;
    NetClientOptions options =
        new NetClientOptions()
            .setSsl(true)
            .setKeyCertOptions(keyCert(tls))
            .setTrustOptions(trust(tls))
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
            // Pod IPs are in no certificate; the URI SAN naming the VM is checked instead.
            .setHostnameVerificationAlgorithm("")
            .setConnectTimeout((int) timeoutMillis)
            .setTcpNoDelay(true);
    if (OpenSSLEngineOptions.isAvailable()) {
      options.setSslEngineOptions(new OpenSSLEngineOptions());
    }
    this.client = vertx.createNetClient(options);
  }

  /**
   * Uses new TLS material for connections opened from now on (the operator rotates the proxy's
   * certificate and the CA in their Secret; the kubelet updates the mounted files).
   */
  public Future<Boolean> update(TlsMaterial tls) {
    if (tls.equals(current)) {
      return Future.succeededFuture(false);
    }
    current = tls;
    return client.updateSSLOptions(
        new SSLOptions()
            .setKeyCertOptions(keyCert(tls))
            .setTrustOptions(trust(tls))
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.3")));
  }

  private static PemKeyCertOptions keyCert(TlsMaterial tls) {
    return new PemKeyCertOptions()
        .addCertValue(Buffer.buffer(tls.certificateChainPem()))
        .addKeyValue(Buffer.buffer(tls.privateKeyPem()));
  }

  private static PemTrustOptions trust(TlsMaterial tls) {
    return new PemTrustOptions().addCertValue(Buffer.buffer(tls.caPem()));
  }

  @Override
  public Future<BackendStream> open(VmTarget target, ConsoleChannel channel) {
    Promise<BackendStream> result = Promise.promise();
    client
        .connect(port, target.podIp())
        .onFailure(
            e ->
                result.tryFail(
                    new BackendRefusedException("cannot reach the VM pod: " + e.getMessage())))
        .onSuccess(socket -> handshake(socket, target, channel, result));
    return result.future();
  }

  private void handshake(
      NetSocket socket, VmTarget target, ConsoleChannel channel, Promise<BackendStream> result) {
    String expected = ConsoleIdentities.endpoint(target.namespace(), target.name());
    if (!peerIs(socket, expected)) {
      socket.close();
      result.tryFail(new BackendRefusedException("the pod's certificate is not " + expected));
      return;
    }
    long timer =
        vertx.setTimer(
            timeoutMillis,
            t -> {
              socket.close();
              result.tryFail(new BackendRefusedException("the console endpoint did not answer"));
            });
    Buffer received = Buffer.buffer();
    socket.closeHandler(
        v -> {
          vertx.cancelTimer(timer);
          result.tryFail(new BackendRefusedException("the console endpoint closed"));
        });
    socket.exceptionHandler(e -> socket.close());
    socket.handler(
        chunk -> {
          received.appendBuffer(chunk);
          int newline = indexOfNewline(received);
          if (newline < 0) {
            if (received.length() > EndpointProtocol.MAX_LINE) {
              socket.close();
            }
            return;
          }
          vertx.cancelTimer(timer);
          socket.pause();
          socket.handler(null);
          socket.closeHandler(null);
          String line = received.getString(0, newline, StandardCharsets.US_ASCII.name());
          if (!EndpointProtocol.OK.equals(line)) {
            socket.close();
            result.tryFail(new BackendRefusedException("the console endpoint answered " + line));
            return;
          }
          result.tryComplete(
              new BackendStream(socket, received.getBuffer(newline + 1, received.length())));
        });
    socket.write(Buffer.buffer(EndpointProtocol.request(channel)));
  }

  private static boolean peerIs(NetSocket socket, String identity) {
    try {
      List<Certificate> chain = socket.peerCertificates();
      return chain != null
          && !chain.isEmpty()
          && chain.get(0) instanceof X509Certificate leaf
          && ConsoleIdentities.carries(leaf, identity);
    } catch (Exception e) {
      return false;
    }
  }

  private static int indexOfNewline(Buffer buffer) {
    for (int i = 0; i < buffer.length(); i++) {
      if (buffer.getByte(i) == '\n') {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void close() {
    client.close();
  }
}
