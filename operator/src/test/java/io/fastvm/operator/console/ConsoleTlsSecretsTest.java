package io.fastvm.operator.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.contract.console.TlsMaterial;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.operator.vm.VmMetadata;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The console Secrets as pure functions: shapes, identities, when a certificate is renewed. */
class ConsoleTlsSecretsTest {
  static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
  final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  final ConsoleCertificateAuthority ca =
      ConsoleCertificateAuthority.create("test CA", Duration.ofDays(3650), clock);
  final VirtualMachine vm = TestVms.vm("debian", TestVms.spec().disk("root", "root").build());
  static final Duration RENEW = Duration.ofDays(10);

  TlsMaterial material(Secret secret) {
    return new TlsMaterial(
        ConsoleTlsSecrets.value(secret, "tls.crt").orElseThrow(),
        ConsoleTlsSecrets.value(secret, "tls.key").orElseThrow(),
        ConsoleTlsSecrets.value(secret, "ca.crt").orElseThrow());
  }

  @Test
  void endpointSecretIsATlsSecretOwnedByTheVmNamingIt() throws Exception {
    Secret secret =
        ConsoleTlsSecrets.endpointSecret(
            vm, ca.issueEndpoint(TestVms.NS, "debian", Duration.ofDays(30)));
    assertThat(secret.getMetadata().getName()).isEqualTo("debian-console-tls");
    assertThat(secret.getMetadata().getNamespace()).isEqualTo(TestVms.NS);
    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    assertThat(secret.getMetadata().getLabels())
        .containsEntry(VmMetadata.MANAGED_BY, VmMetadata.MANAGED_BY_VALUE);
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(vm.getMetadata().getUid()));
    X509Certificate leaf = material(secret).certificateChain().get(0);
    assertThat(ConsoleIdentities.uris(leaf))
        .containsExactly("urn:fastvm:console-endpoint:" + TestVms.NS + ":debian");
    assertThat(ConsoleTlsSecrets.endpointIdentity(vm))
        .isEqualTo("urn:fastvm:console-endpoint:" + TestVms.NS + ":debian");
    // The SSLContext the launcher builds from it works.
    assertThat(material(secret).sslContext()).isNotNull();
  }

  @Test
  void proxyAndCaSecretsRoundTrip() throws Exception {
    Secret proxy =
        ConsoleTlsSecrets.proxySecret("fastvm-system", ca.issueProxyClient(Duration.ofDays(30)));
    assertThat(proxy.getMetadata().getName()).isEqualTo("fastvm-console-proxy-tls");
    assertThat(ConsoleIdentities.uris(material(proxy).certificateChain().get(0)))
        .containsExactly(ConsoleIdentities.PROXY);

    Secret caSecret = ConsoleTlsSecrets.caSecret("fastvm-system", ca);
    assertThat(caSecret.getMetadata().getName()).isEqualTo("fastvm-console-ca");
    assertThat(ConsoleTlsSecrets.caFrom(caSecret, clock).orElseThrow().certificatePem())
        .isEqualTo(ca.certificatePem());
    caSecret.getData().remove("tls.key");
    assertThat(ConsoleTlsSecrets.caFrom(caSecret, clock)).isEmpty();
  }

  @Test
  void aCertificateIsRenewedBeforeItExpiresAndReplacedWhenItIsNotForThisVmOrCa() {
    String identity = ConsoleTlsSecrets.endpointIdentity(vm);
    Optional<Secret> fresh =
        Optional.of(
            ConsoleTlsSecrets.endpointSecret(
                vm, ca.issueEndpoint(TestVms.NS, "debian", Duration.ofDays(30))));
    Instant renewAt = ConsoleTlsSecrets.renewAt(fresh, identity, ca.certificatePem(), RENEW);
    assertThat(renewAt).isEqualTo(NOW.plus(Duration.ofDays(20)));
    assertThat(
            ConsoleTlsSecrets.needsNewCertificate(
                fresh, identity, ca.certificatePem(), RENEW, NOW.plus(Duration.ofDays(19))))
        .isFalse();
    assertThat(
            ConsoleTlsSecrets.needsNewCertificate(
                fresh, identity, ca.certificatePem(), RENEW, NOW.plus(Duration.ofDays(20))))
        .isTrue();

    // missing
    assertThat(
            ConsoleTlsSecrets.needsNewCertificate(
                Optional.empty(), identity, ca.certificatePem(), RENEW, NOW))
        .isTrue();
    // another VM's certificate (a Secret copied by hand, a re-created VM of another name)
    Optional<Secret> otherVm =
        Optional.of(
            ConsoleTlsSecrets.endpointSecret(
                vm, ca.issueEndpoint(TestVms.NS, "other", Duration.ofDays(30))));
    assertThat(
            ConsoleTlsSecrets.needsNewCertificate(
                otherVm, identity, ca.certificatePem(), RENEW, NOW))
        .isTrue();
    // issued by a CA that is no longer the console CA
    ConsoleCertificateAuthority newCa =
        ConsoleCertificateAuthority.create("new CA", Duration.ofDays(3650), clock);
    assertThat(
            ConsoleTlsSecrets.needsNewCertificate(
                fresh, identity, newCa.certificatePem(), RENEW, NOW))
        .isTrue();
    // garbage
    Secret broken = fresh.get();
    broken.getData().put("tls.crt", "bm90IGEgY2VydA==");
    assertThat(
            ConsoleTlsSecrets.needsNewCertificate(
                Optional.of(broken), identity, ca.certificatePem(), RENEW, NOW))
        .isTrue();
  }
}
