package io.fastvm.console.testing;

import io.fastvm.contract.console.TlsMaterial;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.contract.console.pki.IssuedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates a test needs: a console CA, the proxy's client certificate (written as the
 * proxy's backend TLS dir), per-VM endpoint certificates, and an HTTPS certificate for the proxy on
 * 127.0.0.1/localhost with a trust-only SSLContext for test clients.
 */
public final class TestPki {
  public final ConsoleCertificateAuthority ca =
      ConsoleCertificateAuthority.create(
          "fastvm console test CA", Duration.ofDays(1), Clock.systemUTC());
  public final Path dir;
  public final Path backendTlsDir;
  public final Path httpCert;
  public final Path httpKey;

  public TestPki(Path dir) throws IOException {
    this.dir = dir;
    this.backendTlsDir = dir.resolve("proxy-client");
    ca.issueProxyClient(Duration.ofDays(1)).toTlsMaterial().writeTo(backendTlsDir);
    IssuedCertificate https = ca.issueServer(List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
    httpCert = dir.resolve("https.crt");
    httpKey = dir.resolve("https.key");
    Files.writeString(httpCert, https.certificatePem());
    Files.writeString(httpKey, https.privateKeyPem());
  }

  public TlsMaterial endpoint(String namespace, String vm) {
    return ca.issueEndpoint(namespace, vm, Duration.ofDays(1)).toTlsMaterial();
  }

  /** Trusts the test CA only (for the test's HTTPS and WebSocket clients). */
  public SSLContext clientTrust() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      X509Certificate certificate = ca.certificate();
      trust.setCertificateEntry("ca", certificate);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
