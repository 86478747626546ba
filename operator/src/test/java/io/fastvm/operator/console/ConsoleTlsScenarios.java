package io.fastvm.operator.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.contract.console.TlsMaterial;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.metrics.VmMetrics;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.operator.vm.VirtualMachineReconciler;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator keeps the console CA and certificates in Secrets, against an API server (the mock or
 * a real one, see the subclasses): the CA is created once in the operator's namespace and reused by
 * the next operator process, the proxy gets its client certificate beside it, each VM gets an
 * endpoint certificate in its namespace, and a certificate close to expiry is replaced.
 */
abstract class ConsoleTlsScenarios {

  /** The cluster of one test: a new mock server, or a real server with fresh namespaces. */
  abstract TestCluster newCluster();

  static final String OPERATOR_NS = "fastvm-system";
  static final ConsoleTlsSettings TLS =
      new ConsoleTlsSettings(
          OPERATOR_NS, Duration.ofDays(3650), Duration.ofDays(30), Duration.ofDays(10));

  TestCluster cluster;
  KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = newCluster();
    client = cluster.client();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  Operator operator() {
    VirtualMachineReconciler reconciler =
        new VirtualMachineReconciler(
            OperatorSettings.defaults(),
            new VmMetrics(new SimpleMeterRegistry()),
            Clock.systemUTC(),
            TLS);
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.register(reconciler);
    operator.start();
    return operator;
  }

  Secret secret(String namespace, String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  Secret awaitSecret(String namespace, String name) {
    await().atMost(Duration.ofSeconds(20)).until(() -> secret(namespace, name) != null);
    return secret(namespace, name);
  }

  static TlsMaterial material(Secret secret) {
    return new TlsMaterial(
        ConsoleTlsSecrets.value(secret, "tls.crt").orElseThrow(),
        ConsoleTlsSecrets.value(secret, "tls.key").orElseThrow(),
        ConsoleTlsSecrets.value(secret, "ca.crt").orElseThrow());
  }

  @Test
  void caProxyAndEndpointSecretsAreCreatedAndTheCaIsReusedAcrossOperatorRestarts()
      throws Exception {
    Operator first = operator();
    VirtualMachine vm =
        client.resource(TestVms.newVm("web", TestVms.spec().disk("root", "root").build())).create();
    Secret endpoint = awaitSecret(TestVms.NS, "web-console-tls");
    Secret caSecret = awaitSecret(OPERATOR_NS, ConsoleTlsSecrets.CA_SECRET);
    Secret proxy = awaitSecret(OPERATOR_NS, ConsoleTlsSecrets.PROXY_SECRET);
    String caPem = ConsoleTlsSecrets.value(caSecret, "tls.crt").orElseThrow();

    assertThat(endpoint.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(endpoint.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(vm.getMetadata().getUid()));
    assertThat(ConsoleIdentities.uris(material(endpoint).certificateChain().get(0)))
        .containsExactly(ConsoleIdentities.endpoint(TestVms.NS, "web"));
    assertThat(ConsoleTlsSecrets.value(endpoint, "ca.crt")).contains(caPem);
    assertThat(ConsoleIdentities.uris(material(proxy).certificateChain().get(0)))
        .containsExactly(ConsoleIdentities.PROXY);
    assertThat(ConsoleTlsSecrets.value(proxy, "ca.crt")).contains(caPem);
    // Both sides can talk: each trusts the CA that signed the other.
    material(endpoint)
        .certificateChain()
        .get(0)
        .verify(material(proxy).caCertificates().get(0).getPublicKey());
    first.stop();

    // A new operator process reuses the CA and the still valid certificates.
    Operator second = operator();
    client.resource(TestVms.newVm("db", TestVms.spec().disk("root", "root").build())).create();
    Secret db = awaitSecret(TestVms.NS, "db-console-tls");
    assertThat(ConsoleTlsSecrets.value(db, "ca.crt")).contains(caPem);
    assertThat(secret(OPERATOR_NS, ConsoleTlsSecrets.CA_SECRET).getData())
        .isEqualTo(caSecret.getData());
    assertThat(secret(OPERATOR_NS, ConsoleTlsSecrets.PROXY_SECRET).getData())
        .isEqualTo(proxy.getData());
    assertThat(secret(TestVms.NS, "web-console-tls").getData()).isEqualTo(endpoint.getData());
    second.stop();
  }

  @Test
  void aSecretOfSomeoneElseUnderTheCertificatesNameIsNeverOverwritten() {
    Secret theirs =
        client
            .secrets()
            .inNamespace(TestVms.NS)
            .resource(
                new io.fabric8.kubernetes.api.model.SecretBuilder()
                    .withNewMetadata()
                    .withName("mail-console-tls")
                    .endMetadata()
                    .addToStringData("password", "hunter2")
                    .build())
            .create();
    Operator operator = operator();
    client.resource(TestVms.newVm("mail", TestVms.spec().disk("root", "root").build())).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                client.v1().events().inNamespace(TestVms.NS).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "mail".equals(e.getInvolvedObject().getName())
                                && e.getMessage()
                                    .contains("mail-console-tls exists but is not managed")));
    Secret after = secret(TestVms.NS, "mail-console-tls");
    assertThat(after.getData()).isEqualTo(theirs.getData());
    assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(client.pods().inNamespace(TestVms.NS).list().getItems()).isEmpty();
    operator.stop();
  }

  @Test
  void aCertificateCloseToExpiryIsReplaced() throws Exception {
    // The CA and a VM certificate that expires in 2 days (renewal is 10 days ahead).
    ConsoleCertificateAuthority ca =
        ConsoleCertificateAuthority.create("console CA", Duration.ofDays(3650), Clock.systemUTC());
    client.resource(ConsoleTlsSecrets.caSecret(OPERATOR_NS, ca)).create();
    VirtualMachine vm =
        client.resource(TestVms.newVm("old", TestVms.spec().disk("root", "root").build())).create();
    Secret expiring =
        client
            .resource(
                ConsoleTlsSecrets.endpointSecret(
                    vm, ca.issueEndpoint(TestVms.NS, "old", Duration.ofDays(2))))
            .create();
    Operator operator = operator();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !secret(TestVms.NS, "old-console-tls").getData().equals(expiring.getData()));
      Secret renewed = secret(TestVms.NS, "old-console-tls");
      var leaf = material(renewed).certificateChain().get(0);
      assertThat(leaf.getNotAfter().toInstant())
          .isAfter(java.time.Instant.now().plus(Duration.ofDays(29)));
      assertThat(
              ConsoleTlsSecrets.needsNewCertificate(
                  Optional.of(renewed),
                  ConsoleIdentities.endpoint(TestVms.NS, "old"),
                  ca.certificatePem(),
                  TLS.renewBefore(),
                  java.time.Instant.now()))
          .isFalse();
    } finally {
      operator.stop();
    }
  }
}
