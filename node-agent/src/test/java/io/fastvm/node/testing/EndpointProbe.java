package io.fastvm.node.testing;

import io.fastvm.contract.console.TlsMaterial;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A client of a VM pod's console endpoint, as anyone on the pod network could be, that tells a
 * refusal from a wait: {@link #refusal} completes the client's side of the TLS 1.3 handshake, asks
 * for a console as the proxy would and reports what the endpoint then did — the alert it sent, or
 * that it closed the connection — and fails the test when the endpoint answered the request or did
 * nothing for {@link #PATIENCE}: it let the client in.
 *
 * <p>In TLS 1.3 the server judges the client's certificate after the client finished its side, so
 * the verdict arrives on the client's first read. The JDK client writes its last flight in several
 * writes; an endpoint that refuses after the first of them closes the connection while the rest is
 * still coming, the kernel answers those with a reset, and the client may see "Broken pipe" before
 * it ever reads the alert. So this client holds what it writes until it reads: its last flight and
 * its request leave in one write, and the refusal is always the alert itself (bytes that arrived
 * before a reset are still read).
 */
public final class EndpointProbe {
  private EndpointProbe() {}

  /** How long an endpoint may take to refuse; it answers a handshake in milliseconds. */
  public static final Duration PATIENCE = Duration.ofSeconds(20);

  private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");

  /**
   * Connects with {@code context}, completes the client's side of the handshake, sends {@code
   * request} (a console request line, as the proxy would) and reads once: {@code "alert
   * <description>"} for a TLS alert from the endpoint, {@code "closed"} when it closed the
   * connection (end of stream) or {@code "reset"} when it reset it (it closed without reading the
   * request). Fails (AssertionError) when the endpoint answered the request or kept the connection
   * open: a refusal is never a client giving up.
   */
  public static String refusal(SSLContext context, InetSocketAddress endpoint, byte[] request)
      throws IOException {
    try (SSLSocket socket = connect(context, endpoint)) {
      try {
        socket.startHandshake();
        // held with the client's last flight until the read below: one write, never a write
        // into a connection the endpoint already closed
        socket.getOutputStream().write(request);
      } catch (SSLHandshakeException e) {
        return describe(e);
      }
      int b;
      try {
        b = socket.getInputStream().read();
      } catch (SSLHandshakeException e) {
        return describe(e);
      } catch (SocketTimeoutException e) {
        throw new AssertionError(
            "not refused: the endpoint kept the connection open for " + PATIENCE, e);
      } catch (SocketException e) {
        if (String.valueOf(e.getMessage()).contains("Connection reset")) {
          return "reset";
        }
        throw e;
      }
      if (b >= 0) {
        throw new AssertionError(
            "not refused: the endpoint answered the request ('" + (char) b + "'...)");
      }
      return "closed";
    }
  }

  /** A connected TLS socket (the handshake not started) whose flights leave in one write each. */
  public static SSLSocket connect(SSLContext context, InetSocketAddress endpoint)
      throws IOException {
    FlightSocket plain = new FlightSocket();
    plain.connect(endpoint, (int) PATIENCE.toMillis());
    plain.setSoTimeout((int) PATIENCE.toMillis());
    return (SSLSocket)
        context
            .getSocketFactory()
            .createSocket(plain, endpoint.getHostString(), endpoint.getPort(), true);
  }

  private static String describe(SSLHandshakeException e) {
    Matcher alert = ALERT.matcher(String.valueOf(e.getMessage()));
    return alert.find() ? "alert " + alert.group(1) : "handshake failed: " + e.getMessage();
  }

  /**
   * Presents {@code client}'s certificate whatever CAs the endpoint asks for (the JDK's own key
   * manager would send none when its issuer is not among them, and the endpoint would never see
   * it), trusting {@code client}'s CA for the endpoint's certificate.
   */
  public static SSLContext presenting(TlsMaterial client) throws GeneralSecurityException {
    PrivateKey key = client.privateKey();
    X509Certificate[] chain = client.certificateChain().toArray(X509Certificate[]::new);
    X509ExtendedKeyManager always =
        new X509ExtendedKeyManager() {
          @Override
          public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
          }

          @Override
          public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
          }

          @Override
          public String chooseEngineClientAlias(
              String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "client";
          }

          @Override
          public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
          }

          @Override
          public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
          }

          @Override
          public X509Certificate[] getCertificateChain(String alias) {
            return chain;
          }

          @Override
          public PrivateKey getPrivateKey(String alias) {
            return key;
          }
        };
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(new KeyManager[] {always}, trusting(client.caCertificates().get(0)), null);
    return context;
  }

  /** No client certificate at all, trusting {@code ca} for the endpoint's certificate. */
  public static SSLContext withoutCertificate(X509Certificate ca) throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(null, trusting(ca), null);
    return context;
  }

  private static javax.net.ssl.TrustManager[] trusting(X509Certificate ca)
      throws GeneralSecurityException {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      return tmf.getTrustManagers();
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /**
   * A client certificate (clientAuth, like the proxy's) that {@code ca} signs for another identity
   * ({@code uri}): what any other client of the console CA would hold. The CA's own code issues
   * client certificates to the proxy only, so the test signs it itself.
   */
  public static TlsMaterial clientCertificate(ConsoleCertificateAuthority ca, String uri)
      throws Exception {
    PrivateKey caKey =
        new TlsMaterial(ca.certificatePem(), ca.privateKeyPem(), ca.certificatePem()).privateKey();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            ca.certificate(),
            new BigInteger(127, new SecureRandom()),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name("CN=another client"),
            keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
    X509Certificate leaf =
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
    return new TlsMaterial(
        pem(leaf), pem(new JcaPKCS8Generator(keys.getPrivate(), null)), ca.certificatePem());
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  /** Holds what the TLS layer writes until it next reads, so each flight leaves in one write. */
  private static final class FlightSocket extends Socket {
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private OutputStream out;
    private InputStream in;

    private void release() throws IOException {
      byte[] bytes;
      synchronized (held) {
        bytes = held.toByteArray();
        held.reset();
      }
      if (bytes.length > 0) {
        super.getOutputStream().write(bytes);
      }
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
      if (out == null) {
        super.getOutputStream(); // fails as a socket's would when not connected
        out =
            new OutputStream() {
              @Override
              public void write(int b) {
                synchronized (held) {
                  held.write(b);
                }
              }

              @Override
              public void write(byte[] b, int off, int len) {
                synchronized (held) {
                  held.write(b, off, len);
                }
              }

              @Override
              public void close() throws IOException {
                FlightSocket.this.close();
              }
            };
      }
      return out;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (in == null) {
        in =
            new FilterInputStream(super.getInputStream()) {
              @Override
              public int read() throws IOException {
                release();
                return super.read();
              }

              @Override
              public int read(byte[] b, int off, int len) throws IOException {
                release();
                return super.read(b, off, len);
              }
            };
      }
      return in;
    }

    @Override
    public synchronized void shutdownOutput() throws IOException {
      release(); // the JDK's TLS socket half-closes after its close_notify
      super.shutdownOutput();
    }

    @Override
    public synchronized void close() throws IOException {
      try {
        release();
      } catch (IOException e) {
        // the peer is gone; nothing to deliver
      }
      super.close();
    }
  }
}
