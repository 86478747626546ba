package io.fastvm.contract.console.pki;

import io.fastvm.contract.console.ConsoleIdentities;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The CA of the console byte path: issues each VM endpoint's serving certificate and the proxy's
 * client certificate, both with a URI SAN from {@link ConsoleIdentities}. Pure (no Kubernetes): the
 * operator keeps its PEM in a Secret and calls this to issue per-VM certificates. EC P-256 keys,
 * SHA-256 ECDSA signatures.
 */
public final class ConsoleCertificateAuthority {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final Clock clock;

  private ConsoleCertificateAuthority(
      X509Certificate certificate, PrivateKey privateKey, Clock clock) {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.clock = clock;
  }

  /** A new self-signed CA. */
  public static ConsoleCertificateAuthority create(
      String commonName, Duration validity, Clock clock) {
    try {
      KeyPair keys = newKeyPair();
      X500Name name = new X500Name("CN=" + commonName);
      Instant now = clock.instant();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(validity)),
              name,
              keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate certificate = sign(builder, keys.getPrivate());
      return new ConsoleCertificateAuthority(certificate, keys.getPrivate(), clock);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create the console CA", e);
    }
  }

  /** The CA kept in a Secret: its certificate and PKCS#8 private key, PEM. */
  public static ConsoleCertificateAuthority load(
      String certificatePem, String privateKeyPem, Clock clock) {
    try (PEMParser certs = new PEMParser(new StringReader(certificatePem));
        PEMParser keys = new PEMParser(new StringReader(privateKeyPem))) {
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate((X509CertificateHolder) certs.readObject());
      Object key = keys.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      PrivateKey privateKey =
          key instanceof PEMKeyPair pair
              ? converter.getKeyPair(pair).getPrivate()
              : converter.getPrivateKey((org.bouncycastle.asn1.pkcs.PrivateKeyInfo) key);
      return new ConsoleCertificateAuthority(certificate, privateKey, clock);
    } catch (IOException | GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("not a CA certificate and key in PEM", e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String certificatePem() {
    return pem(certificate);
  }

  public String privateKeyPem() {
    return pkcs8Pem(privateKey);
  }

  /** The serving certificate of VM {@code namespace/name}'s console endpoint. */
  public IssuedCertificate issueEndpoint(String namespace, String name, Duration validity) {
    return issue(
        "console-endpoint " + namespace + "/" + name,
        List.of(
            new GeneralName(
                GeneralName.uniformResourceIdentifier,
                ConsoleIdentities.endpoint(namespace, name))),
        KeyPurposeId.id_kp_serverAuth,
        validity);
  }

  /** The console-proxy's client certificate for the endpoints. */
  public IssuedCertificate issueProxyClient(Duration validity) {
    return issue(
        "console-proxy",
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, ConsoleIdentities.PROXY)),
        KeyPurposeId.id_kp_clientAuth,
        validity);
  }

  /**
   * An HTTPS serving certificate for DNS names and IP addresses (the proxy's own web listener when
   * no other certificate is given, and tests).
   */
  public IssuedCertificate issueServer(List<String> hosts, Duration validity) {
    List<GeneralName> names = new ArrayList<>();
    for (String host : hosts) {
      names.add(
          looksLikeIp(host)
              ? new GeneralName(GeneralName.iPAddress, host)
              : new GeneralName(GeneralName.dNSName, host));
    }
    return issue(
        hosts.isEmpty() ? "server" : hosts.get(0), names, KeyPurposeId.id_kp_serverAuth, validity);
  }

  private IssuedCertificate issue(
      String commonName, List<GeneralName> sans, KeyPurposeId purpose, Duration validity) {
    try {
      KeyPair keys = newKeyPair();
      Instant now = clock.instant();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              certificate,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(validity)),
              new X500Name("CN=" + commonName.replace(",", " ").replace("=", " ")),
              keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(sans.toArray(GeneralName[]::new)));
      builder.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      X509Certificate leaf = sign(builder, privateKey);
      return new IssuedCertificate(pem(leaf), pkcs8Pem(keys.getPrivate()), certificatePem());
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM);
  }

  private static boolean looksLikeIp(String host) {
    if (!host.matches("[0-9.]+") && !host.contains(":")) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String pkcs8Pem(PrivateKey key) {
    try {
      return pem(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
