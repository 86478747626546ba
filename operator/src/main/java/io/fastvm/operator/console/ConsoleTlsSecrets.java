package io.fastvm.operator.console;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.contract.console.TlsMaterial;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.contract.console.pki.IssuedCertificate;
import io.fastvm.operator.vm.VmMetadata;
import io.fastvm.operator.vm.VmNames;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Secrets of the console byte path, as pure functions: the CA ({@value #CA_SECRET}, operator
 * namespace), the proxy's client certificate ({@value #PROXY_SECRET}, operator namespace) and each
 * VM's endpoint certificate ({@code <vm>-console-tls}, the VM's namespace, owned by the VM). All
 * are {@code kubernetes.io/tls} Secrets with {@code tls.crt}, {@code tls.key} (PKCS#8) and, for
 * issued certificates, {@code ca.crt}.
 */
public final class ConsoleTlsSecrets {
  private ConsoleTlsSecrets() {}

  public static final String CA_SECRET = "fastvm-console-ca";
  public static final String PROXY_SECRET = "fastvm-console-proxy-tls";
  public static final String TLS_TYPE = "kubernetes.io/tls";
  static final String COMPONENT = "console-tls";

  /** The CA in a Secret of the operator's namespace. */
  public static Secret caSecret(String namespace, ConsoleCertificateAuthority ca) {
    return secret(
        namespace,
        CA_SECRET,
        labels("console-ca"),
        Map.of(
            TlsMaterial.CERT_FILE, ca.certificatePem(), TlsMaterial.KEY_FILE, ca.privateKeyPem()));
  }

  /** The CA a Secret holds, if it holds one. */
  public static Optional<ConsoleCertificateAuthority> caFrom(Secret secret, Clock clock) {
    Optional<String> cert = value(secret, TlsMaterial.CERT_FILE);
    Optional<String> key = value(secret, TlsMaterial.KEY_FILE);
    if (cert.isEmpty() || key.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ConsoleCertificateAuthority.load(cert.get(), key.get(), clock));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The proxy's client certificate Secret. */
  public static Secret proxySecret(String namespace, IssuedCertificate certificate) {
    return secret(namespace, PROXY_SECRET, labels("console-proxy-tls"), data(certificate));
  }

  /** The serving certificate Secret of a VM's console endpoint, owned by the VM. */
  public static Secret endpointSecret(VirtualMachine vm, IssuedCertificate certificate) {
    Secret secret =
        secret(
            vm.getMetadata().getNamespace(),
            VmNames.consoleTlsSecret(vm),
            VmMetadata.labels(vm, COMPONENT),
            data(certificate));
    secret.getMetadata().setOwnerReferences(java.util.List.of(VmMetadata.controllerReference(vm)));
    return secret;
  }

  /** The identity a VM's endpoint certificate carries. */
  public static String endpointIdentity(VirtualMachine vm) {
    return ConsoleIdentities.endpoint(vm.getMetadata().getNamespace(), vm.getMetadata().getName());
  }

  /**
   * When a Secret's certificate must be replaced: never usable (missing, unreadable, another
   * identity, another CA) is {@link Instant#MIN}; otherwise its expiry less {@code renewBefore}.
   */
  public static Instant renewAt(
      Optional<Secret> secret, String identity, String caPem, java.time.Duration renewBefore) {
    if (secret.isEmpty()) {
      return Instant.MIN;
    }
    Optional<String> cert = value(secret.get(), TlsMaterial.CERT_FILE);
    Optional<String> key = value(secret.get(), TlsMaterial.KEY_FILE);
    Optional<String> ca = value(secret.get(), TlsMaterial.CA_FILE);
    if (cert.isEmpty() || key.isEmpty() || ca.isEmpty() || !ca.get().equals(caPem)) {
      return Instant.MIN;
    }
    try {
      X509Certificate leaf =
          new TlsMaterial(cert.get(), key.get(), ca.get()).certificateChain().get(0);
      if (!ConsoleIdentities.carries(leaf, identity)) {
        return Instant.MIN;
      }
      leaf.verify(
          new TlsMaterial(cert.get(), key.get(), ca.get()).caCertificates().get(0).getPublicKey());
      return leaf.getNotAfter().toInstant().minus(renewBefore);
    } catch (GeneralSecurityException | RuntimeException e) {
      return Instant.MIN;
    }
  }

  /** Whether the Secret needs a new certificate at {@code now}. */
  public static boolean needsNewCertificate(
      Optional<Secret> secret,
      String identity,
      String caPem,
      java.time.Duration renewBefore,
      Instant now) {
    return !now.isBefore(renewAt(secret, identity, caPem, renewBefore));
  }

  private static Map<String, String> labels(String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(VmMetadata.MANAGED_BY, VmMetadata.MANAGED_BY_VALUE);
    labels.put(VmMetadata.NAME_LABEL, "fastvm");
    labels.put(VmMetadata.COMPONENT_LABEL, component);
    return labels;
  }

  private static Map<String, String> data(IssuedCertificate certificate) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(TlsMaterial.CERT_FILE, certificate.certificatePem());
    data.put(TlsMaterial.KEY_FILE, certificate.privateKeyPem());
    data.put(TlsMaterial.CA_FILE, certificate.caPem());
    return data;
  }

  private static Secret secret(
      String namespace, String name, Map<String, String> labels, Map<String, String> text) {
    Map<String, String> data = new LinkedHashMap<>();
    text.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withType(TLS_TYPE)
        .withData(data)
        .build();
  }

  /** A Secret's value as text (from data, or stringData as written by hand). */
  public static Optional<String> value(Secret secret, String key) {
    if (secret.getData() != null && secret.getData().get(key) != null) {
      try {
        return Optional.of(
            new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    if (secret.getStringData() != null) {
      return Optional.ofNullable(secret.getStringData().get(key));
    }
    return Optional.empty();
  }
}
