package io.fastvm.contract.console;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate chain, its private key (PKCS#8 PEM, EC or RSA) and the CA to trust, as a Kubernetes
 * TLS Secret holds them ({@code tls.crt}, {@code tls.key}, {@code ca.crt}). Plain JDK, so the
 * launcher can use it without extra libraries.
 */
public record TlsMaterial(String certificateChainPem, String privateKeyPem, String caPem) {

  public static final String CERT_FILE = "tls.crt";
  public static final String KEY_FILE = "tls.key";
  public static final String CA_FILE = "ca.crt";

  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  /** Reads {@code tls.crt}, {@code tls.key} and {@code ca.crt} from a mounted Secret. */
  public static TlsMaterial fromDirectory(Path dir) throws IOException {
    return new TlsMaterial(
        Files.readString(dir.resolve(CERT_FILE)),
        Files.readString(dir.resolve(KEY_FILE)),
        Files.readString(dir.resolve(CA_FILE)));
  }

  /** Writes the three files into {@code dir} (tests and local runs). */
  public void writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(CERT_FILE), certificateChainPem);
    Files.writeString(dir.resolve(KEY_FILE), privateKeyPem);
    Files.writeString(dir.resolve(CA_FILE), caPem);
  }

  public List<X509Certificate> certificateChain() throws GeneralSecurityException {
    return parseCertificates(certificateChainPem);
  }

  public List<X509Certificate> caCertificates() throws GeneralSecurityException {
    return parseCertificates(caPem);
  }

  public PrivateKey privateKey() throws GeneralSecurityException {
    Matcher matcher = PKCS8.matcher(privateKeyPem);
    if (!matcher.find()) {
      throw new GeneralSecurityException("tls.key is not a PKCS#8 PEM private key");
    }
    byte[] der = Base64.getMimeDecoder().decode(matcher.group(1).replaceAll("\\s", ""));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  /**
   * An SSLContext that presents this chain and trusts only the CA: used both by endpoints (with
   * client authentication required) and by the proxy.
   */
  public SSLContext sslContext() throws GeneralSecurityException {
    char[] password = new char[0];
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try {
      keys.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    keys.setKeyEntry(
        "console", privateKey(), password, certificateChain().toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    try {
      trust.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    int i = 0;
    for (X509Certificate ca : caCertificates()) {
      trust.setCertificateEntry("ca-" + i++, ca);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);

    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    return context;
  }

  static List<X509Certificate> parseCertificates(String pem) throws GeneralSecurityException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certificates =
        factory
            .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
            .stream()
            .map(X509Certificate.class::cast)
            .toList();
    if (certificates.isEmpty()) {
      throw new GeneralSecurityException("no certificate in PEM");
    }
    return certificates;
  }
}
