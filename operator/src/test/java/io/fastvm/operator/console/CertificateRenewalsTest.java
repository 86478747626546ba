package io.fastvm.operator.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.operator.testing.TestVms;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A Secret's certificate is checked once per version of it, and again when anything changes. */
class CertificateRenewalsTest {
  static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
  static final Duration RENEW = Duration.ofDays(10);
  final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  final ConsoleCertificateAuthority ca =
      ConsoleCertificateAuthority.create("test CA", Duration.ofDays(3650), clock);
  final VirtualMachine vm = TestVms.vm("debian", TestVms.spec().disk("root", "root").build());
  final String identity = ConsoleTlsSecrets.endpointIdentity(vm);
  final CertificateRenewals renewals = new CertificateRenewals(RENEW);

  Secret stored(String uid, String resourceVersion) {
    Secret secret =
        ConsoleTlsSecrets.endpointSecret(
            vm, ca.issueEndpoint(TestVms.NS, "debian", Duration.ofDays(30)));
    secret.getMetadata().setUid(uid);
    secret.getMetadata().setResourceVersion(resourceVersion);
    return secret;
  }

  Instant renewAt(Secret secret, String caPem) {
    return renewals.renewAt(Optional.of(secret), identity, caPem, id -> true);
  }

  @Test
  void aVersionCheckedOnceIsNotParsedAgain() {
    Secret secret = stored("uid-1", "7");
    assertThat(renewAt(secret, ca.certificatePem())).isEqualTo(NOW.plus(Duration.ofDays(20)));
    // Garbage under the same version is not looked at: the first answer stands.
    secret.getData().put("tls.crt", "bm90IGEgY2VydA==");
    assertThat(renewAt(secret, ca.certificatePem())).isEqualTo(NOW.plus(Duration.ofDays(20)));
  }

  @Test
  void aNewVersionUidIdentityOrCaIsCheckedAgain() {
    Secret secret = stored("uid-1", "7");
    assertThat(renewAt(secret, ca.certificatePem())).isEqualTo(NOW.plus(Duration.ofDays(20)));
    secret.getData().put("tls.crt", "bm90IGEgY2VydA==");

    secret.getMetadata().setResourceVersion("8");
    assertThat(renewAt(secret, ca.certificatePem())).isEqualTo(Instant.MIN);

    Secret recreated = stored("uid-2", "8");
    assertThat(renewAt(recreated, ca.certificatePem())).isEqualTo(NOW.plus(Duration.ofDays(20)));
    ConsoleCertificateAuthority newCa =
        ConsoleCertificateAuthority.create("new CA", Duration.ofDays(3650), clock);
    assertThat(renewAt(recreated, newCa.certificatePem())).isEqualTo(Instant.MIN);
    assertThat(
            renewals.renewAt(
                Optional.of(recreated),
                "urn:fastvm:console-endpoint:other:debian",
                ca.certificatePem(),
                id -> true))
        .isEqualTo(Instant.MIN);
  }

  @Test
  void aCertificateJustIssuedIsNotCheckedAgain() {
    Secret written = stored("uid-1", "3");
    Instant renewAt = NOW.plus(Duration.ofDays(20));
    renewals.issued(written, identity, ca.certificatePem(), renewAt);
    written.getData().put("tls.crt", "bm90IGEgY2VydA==");
    assertThat(renewAt(written, ca.certificatePem())).isEqualTo(renewAt);
  }

  @Test
  void aMissingSecretOrOneWithoutVersionIsNeverRemembered() {
    assertThat(renewals.renewAt(Optional.empty(), identity, ca.certificatePem(), id -> true))
        .isEqualTo(Instant.MIN);
    Secret unversioned = stored(null, null);
    assertThat(renewAt(unversioned, ca.certificatePem())).isEqualTo(NOW.plus(Duration.ofDays(20)));
    unversioned.getData().put("tls.crt", "bm90IGEgY2VydA==");
    assertThat(renewAt(unversioned, ca.certificatePem())).isEqualTo(Instant.MIN);
    assertThat(renewals.size()).isZero();
  }

  @Test
  void secretsThatNoLongerExistAreForgottenOnceManyAreRemembered() {
    Secret secret = stored("uid", "1");
    for (int i = 0; i < 1024; i++) {
      secret.getMetadata().setName("vm-" + i + "-console-tls");
      renewAt(secret, ca.certificatePem());
    }
    assertThat(renewals.size()).isEqualTo(1024);
    secret.getMetadata().setName("last-console-tls");
    renewals.renewAt(
        Optional.of(secret),
        identity,
        ca.certificatePem(),
        id -> id.getName().equals("last-console-tls"));
    assertThat(renewals.size()).isEqualTo(1);
  }
}
