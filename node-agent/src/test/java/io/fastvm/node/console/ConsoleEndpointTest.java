package io.fastvm.node.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.contract.console.EndpointProtocol;
import io.fastvm.contract.console.TlsMaterial;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.node.testing.EndpointProbe;
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

/**
 * The VM-side console endpoint: mutual TLS, the proxy's identity, the request line, bridging. Each
 * refusal is asserted as the endpoint's own act (the TLS alert it sends, or its closing the
 * connection), never as a client giving up on a read, and nothing behind a refused connection is
 * ever opened: the stand-in console socket counts its connections.
 */
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

  SSLSocket open(TlsMaterial client) throws Exception {
    SSLSocket socket = EndpointProbe.connect(EndpointProbe.presenting(client), endpoint.address());
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
      throw new AssertionError("closed after '" + line + "'");
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** What the endpoint did to a client of {@code context} asking for the serial console. */
  String refusal(SSLContext context) throws IOException {
    return EndpointProbe.refusal(
        context, endpoint.address(), EndpointProtocol.request(ConsoleChannel.SERIAL));
  }

  void assertNothingOpened() {
    assertThat(serial.connectionsAccepted()).as("connections to the console socket").isZero();
    assertThat(serial.received()).isEmpty();
  }

  @Test
  void theProxyReachesTheChosenSocketAndBytesFlow() throws Exception {
    try (SSLSocket socket = open(ca.issueProxyClient(Duration.ofDays(1)).toTlsMaterial())) {
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
    assertThat(serial.connectionsAccepted()).isEqualTo(1);
  }

  @Test
  void unknownChannelsAndMissingSocketsAreRefusedWithAReason() throws Exception {
    TlsMaterial proxy = ca.issueProxyClient(Duration.ofDays(1)).toTlsMaterial();
    try (SSLSocket socket = open(proxy)) {
      socket.getOutputStream().write("FASTVM-CONSOLE/1 ssh\n".getBytes());
      assertThat(readLine(socket.getInputStream())).isEqualTo("ERR bad-request");
      assertThat(socket.getInputStream().read()).as("closed after the reason").isEqualTo(-1);
    }
    try (SSLSocket socket = open(proxy)) {
      socket.getOutputStream().write(EndpointProtocol.request(ConsoleChannel.SPICE));
      assertThat(readLine(socket.getInputStream())).isEqualTo("ERR unavailable");
      assertThat(socket.getInputStream().read()).as("closed after the reason").isEqualTo(-1);
    }
    assertNothingOpened();
  }

  @Test
  void anotherVmsCertificateFromTheSameCaIsRefusedByTheTlsHandshake() throws Exception {
    // a serving certificate (serverAuth only): the JDK's trust manager rejects it as a client's
    TlsMaterial otherVm = ca.issueEndpoint("lab", "vm2", Duration.ofDays(1)).toTlsMaterial();
    assertThat(refusal(EndpointProbe.presenting(otherVm))).isEqualTo("alert certificate_unknown");
    assertNothingOpened();
  }

  @Test
  void aClientCertificateOfTheSameCaWithoutTheProxysIdentityIsClosedUnanswered() throws Exception {
    // a valid client certificate of the console CA, for another identity: TLS accepts it, the
    // endpoint's identity check does not
    TlsMaterial stranger =
        EndpointProbe.clientCertificate(ca, ConsoleIdentities.endpoint("lab", "vm2"));
    // (closed without reading the request: the kernel may turn that close into a reset)
    assertThat(refusal(EndpointProbe.presenting(stranger))).isIn("closed", "reset");
    assertNothingOpened();
  }

  @Test
  void aCertificateFromAnotherCaIsRefused() throws Exception {
    ConsoleCertificateAuthority other =
        ConsoleCertificateAuthority.create("other CA", Duration.ofDays(1), Clock.systemUTC());
    // the proxy's identity, but signed by a CA the endpoint does not trust
    var issued = other.issueProxyClient(Duration.ofDays(1));
    TlsMaterial foreign =
        new TlsMaterial(issued.certificatePem(), issued.privateKeyPem(), ca.certificatePem());
    assertThat(refusal(EndpointProbe.presenting(foreign))).isEqualTo("alert certificate_unknown");
    assertNothingOpened();
  }

  @Test
  void aClientWithoutCertificateIsRefused() throws Exception {
    assertThat(refusal(EndpointProbe.withoutCertificate(ca.certificate())))
        .isEqualTo("alert certificate_required");
    assertNothingOpened();
  }
}
