package io.fastvm.node.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.node.console.pki.ConsoleCertificateAuthority;
import io.fastvm.node.testing.FakeConsoleSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VM-side console endpoint: mutual TLS, the proxy's identity, the request line, bridging. */
class ConsoleEndpointTest {
  @TempDir Path runtime;
  final ConsoleCertificateAuthority ca =
      ConsoleCertificateAuthority.create("test CA", Duration.ofDays(1), Clock.systemUTC());
  ConsoleEndpoint endpoint;
  FakeConsoleSocket serial;

  @BeforeEach
  void start() throws Exception {
    serial = new FakeConsoleSocket(runtime.resolve("serial.sock"), "login: ".getBytes(), true);
    endpoint =
        ConsoleEndpoint.start(
            EndpointSettings.defaults(
                new InetSocketAddress("127.0.0.1", 0),
                ca.issueEndpoint("lab", "vm1", Duration.ofDays(1)).toTlsMaterial(),
                runtime));
  }

  @AfterEach
  void stop() throws Exception {
    endpoint.close();
    serial.close();
  }

  SSLSocket connect(TlsMaterial client) throws Exception {
    SSLContext context = client.sslContext();
    SSLSocket socket =
        (SSLSocket)
            context.getSocketFactory().createSocket("127.0.0.1", endpoint.address().getPort());
    socket.setSoTimeout(5000);
    socket.startHandshake();
    return socket;
  }

  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.write(b);
    }
    if (b < 0) {
      throw new IOException("closed");
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void theProxyReachesTheChosenSocketAndBytesFlow() throws Exception {
    try (SSLSocket socket = connect(ca.issueProxyClient(Duration.ofDays(1)).toTlsMaterial())) {
      X509Certificate server = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      assertThat(ConsoleIdentities.carries(server, ConsoleIdentities.endpoint("lab", "vm1")))
          .isTrue();
      socket.getOutputStream().write(EndpointProtocol.request(ConsoleChannel.SERIAL));
      InputStream in = socket.getInputStream();
      assertThat(readLine(in)).isEqualTo("OK");
      assertThat(new String(in.readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("login: ");
      socket.getOutputStream().write("root\n".getBytes());
      assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("root\n");
    }
  }

  @Test
  void unknownChannelsAndMissingSocketsAreRefusedWithAReason() throws Exception {
    TlsMaterial proxy = ca.issueProxyClient(Duration.ofDays(1)).toTlsMaterial();
    try (SSLSocket socket = connect(proxy)) {
      socket.getOutputStream().write("FASTVM-CONSOLE/1 ssh\n".getBytes());
      assertThat(readLine(socket.getInputStream())).isEqualTo("ERR bad-request");
    }
    try (SSLSocket socket = connect(proxy)) {
      socket.getOutputStream().write(EndpointProtocol.request(ConsoleChannel.SPICE));
      assertThat(readLine(socket.getInputStream())).isEqualTo("ERR unavailable");
    }
  }

  @Test
  void aCertificateOfTheSameCaWithoutTheProxysIdentityIsRefused() throws Exception {
    // another VM's endpoint certificate: issued by the same CA, but not the proxy
    TlsMaterial otherVm = ca.issueEndpoint("lab", "vm2", Duration.ofDays(1)).toTlsMaterial();
    assertRefused(otherVm);
    assertThat(serial.connectionsAccepted()).isZero();
  }

  @Test
  void aCertificateFromAnotherCaIsRefused() throws Exception {
    ConsoleCertificateAuthority other =
        ConsoleCertificateAuthority.create("other CA", Duration.ofDays(1), Clock.systemUTC());
    // the proxy's identity, but signed by a CA the endpoint does not trust
    var issued = other.issueProxyClient(Duration.ofDays(1));
    TlsMaterial foreign =
        new TlsMaterial(issued.certificatePem(), issued.privateKeyPem(), ca.certificatePem());
    assertRefused(foreign);
    assertThat(serial.connectionsAccepted()).isZero();
  }

  @Test
  void aClientWithoutCertificateIsRefused() throws Exception {
    TlsMaterial proxy = ca.issueProxyClient(Duration.ofDays(1)).toTlsMaterial();
    SSLContext trustOnly = SSLContext.getInstance("TLSv1.3");
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", proxy.caCertificates().get(0));
    tmf.init(trust);
    trustOnly.init(null, tmf.getTrustManagers(), null);
    assertThatThrownBy(
            () -> {
              try (SSLSocket socket =
                  (SSLSocket)
                      trustOnly
                          .getSocketFactory()
                          .createSocket("127.0.0.1", endpoint.address().getPort())) {
                socket.setSoTimeout(5000);
                socket.startHandshake();
                socket.getOutputStream().write(EndpointProtocol.request(ConsoleChannel.SERIAL));
                readLine(socket.getInputStream());
              }
            })
        .isInstanceOf(IOException.class);
    assertThat(serial.connectionsAccepted()).isZero();
  }

  private void assertRefused(TlsMaterial client) {
    assertThatThrownBy(
            () -> {
              try (SSLSocket socket = connect(client)) {
                socket.getOutputStream().write(EndpointProtocol.request(ConsoleChannel.SERIAL));
                readLine(socket.getInputStream());
              }
            })
        .isInstanceOf(IOException.class);
  }
}
