package io.fastvm.operator.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.CloudInitConfigStatus;
import io.fastvm.api.v1alpha1.CloudInitPhase;
import io.fastvm.api.v1alpha1.GuestNetwork;
import io.fastvm.api.v1alpha1.GuestUser;
import io.fastvm.api.v1alpha1.NetworkMode;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.SecretKeyRef;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.contract.MacAddresses;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.testing.OperatorScenario;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.operator.vm.PodView;
import io.fastvm.operator.vm.VmConditions;
import io.fastvm.operator.vm.VmMetadata;
import io.fastvm.operator.vm.VmSeed;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.commons.codec.digest.Crypt;
import org.junit.jupiter.api.Test;

/**
 * CloudInitConfigs reconciled by the operator, and the VMs that use them, on the fabric8 mock API
 * server ({@link CloudInitMockServerTest}) and on a real kube-apiserver with its controller-manager
 * ({@link CloudInitRealServerTest}). Each test has its own objects.
 */
abstract class CloudInitScenarios extends OperatorScenario {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHvMwQFNKKco0aed1jZrA5QcWacQkvwnqInqS/n92Ylo"
          + " alice@example";

  void begin(TestCluster testCluster) {
    begin(testCluster, c -> RunningOperator.start(c, OperatorSettings.defaults()));
  }

  // --- helpers ---------------------------------------------------------------------------------

  static CloudInitConfigSpec spec(String hostname, String passwordSecret, String key) {
    return new CloudInitConfigSpec(
        hostname,
        List.of(
            new GuestUser(
                "alice",
                passwordSecret == null ? null : new SecretKeyRef(passwordSecret, null),
                List.of(key),
                true,
                null,
                null)),
        null,
        null,
        new GuestNetwork(NetworkMode.STATIC, "192.168.10.21/24", "192.168.10.1", null, null),
        null);
  }

  void password(String name, String value) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName(name)
                .endMetadata()
                .withStringData(Map.of("password", value))
                .build())
        .createOr(existing -> existing.update());
  }

  CloudInitConfig config(String name) {
    return client.resources(CloudInitConfig.class).inNamespace(NS).withName(name).get();
  }

  CloudInitConfigStatus awaitConfig(String name, Predicate<CloudInitConfigStatus> test) {
    return awaitStatus(
        "CloudInitConfig " + name,
        WAIT,
        () ->
            java.util.Optional.ofNullable(config(name))
                .map(CloudInitConfig::getStatus)
                .orElse(null),
        test);
  }

  static Condition ready(CloudInitConfigStatus status) {
    return Conditions.find(status.conditions(), CloudInitConditions.READY).orElseThrow();
  }

  Secret secret(String name) {
    return client.secrets().inNamespace(NS).withName(name).get();
  }

  List<String> eventMessages(String kind, String name) {
    return events(name).stream()
        .filter(e -> kind.equals(e.getInvolvedObject().getKind()))
        .map(e -> e.getReason() + ": " + e.getMessage())
        .toList();
  }

  VirtualMachine vm(String name) {
    return client.resources(VirtualMachine.class).inNamespace(NS).withName(name).get();
  }

  VirtualMachineStatus awaitVm(String name, Predicate<VirtualMachineStatus> test) {
    await()
        .atMost(WAIT)
        .until(() -> vm(name).getStatus() != null && test.test(vm(name).getStatus()));
    return vm(name).getStatus();
  }

  Pod awaitActivePod(String vm, String not) {
    Pod[] found = new Pod[1];
    await()
        .atMost(WAIT)
        .until(
            () -> {
              List<Pod> active =
                  client
                      .pods()
                      .inNamespace(NS)
                      .withLabel(VmMetadata.VM_UID_LABEL, vm(vm).getMetadata().getUid())
                      .list()
                      .getItems()
                      .stream()
                      .filter(p -> !new PodView(p).terminal())
                      .filter(p -> !p.getMetadata().getName().equals(not))
                      .toList();
              found[0] = active.size() == 1 ? active.get(0) : null;
              return found[0] != null;
            });
    return found[0];
  }

  static JsonNode yaml(String text) {
    try {
      return new YAMLMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  void readyVolume(String name) {
    Volume volume = client.resource(TestVms.volume(name)).create();
    volume.setStatus(TestVms.readyStatus(name + "-pvc"));
    client.resource(volume).updateStatus();
  }

  // --- scenarios -------------------------------------------------------------------------------

  @Test
  void aConfigIsRenderedIntoItsSecretAndEachVmGetsItsOwnSeed() {
    password("a-password", "correct horse");
    client.resource(new CloudInitConfig(NS, "a-init", spec(null, "a-password", KEY))).create();

    CloudInitConfigStatus status = awaitConfig("a-init", s -> s.phase() == CloudInitPhase.READY);
    assertThat(status.secretName()).isEqualTo("a-init-user-data");
    assertThat(status.seedHash()).matches("[0-9a-f]{64}");
    Secret userData = secret("a-init-user-data");
    assertThat(userData.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(config("a-init").getMetadata().getUid()));
    assertThat(SecretText.of(userData).values()).noneMatch(v -> v.contains("correct horse"));
    assertThat(eventMessages("CloudInitConfig", "a-init"))
        .anySatisfy(m -> assertThat(m).startsWith("Rendered: "));

    readyVolume("a-root");
    client
        .resource(
            TestVms.newVm(
                "a",
                TestVms.spec().disk("root", "a-root").natWithSsh().cloudInit("a-init").build()))
        .create();
    Pod pod = awaitActivePod("a", "");
    assertThat(pod.getSpec().getVolumes())
        .anySatisfy(
            v ->
                assertThat(v.getSecret() == null ? null : v.getSecret().getSecretName())
                    .isEqualTo("a-seed"));
    Map<String, String> seed = SecretText.of(secret("a-seed"));
    assertThat(seed.get("user-data")).isEqualTo(SecretText.of(userData).get("user-data"));
    String hash =
        seed.get("user-data")
            .lines()
            .filter(l -> l.strip().startsWith("passwd:"))
            .map(l -> l.substring(l.indexOf(':') + 1).strip().replace("\"", ""))
            .findFirst()
            .orElseThrow();
    assertThat(Crypt.crypt("correct horse", hash)).isEqualTo(hash);
    // No hostname in the config: the VM's name; the NIC matched by the VM's own MAC.
    assertThat(yaml(seed.get("meta-data")).path("local-hostname").asText()).isEqualTo("a");
    JsonNode nic = yaml(seed.get("network-config")).path("ethernets").path("nic0");
    assertThat(nic.path("match").path("macaddress").asText())
        .isEqualTo(MacAddresses.stable(NS, "a", "default"));
    assertThat(nic.path("addresses").get(0).asText()).isEqualTo("192.168.10.21/24");
    assertThat(VmMetadata.annotation(pod, VmSeed.INSTANCE_ANNOTATION))
        .isEqualTo(VmMetadata.annotation(secret("a-seed"), VmSeed.INSTANCE_ANNOTATION))
        .isPresent();
  }

  @Test
  void aPasswordSecretCreatedLaterMakesItReadyAndAChangedPasswordRendersItAgain() {
    client.resource(new CloudInitConfig(NS, "b-init", spec("b", "b-password", KEY))).create();
    CloudInitConfigStatus pending = awaitConfig("b-init", s -> s.phase() == CloudInitPhase.PENDING);
    assertThat(ready(pending).getReason()).isEqualTo("SecretNotFound");
    assertThat(ready(pending).getMessage())
        .isEqualTo("spec.users[0].passwordSecretRef: Secret b-password does not exist");
    await()
        .atMost(WAIT)
        .until(
            () ->
                eventMessages("CloudInitConfig", "b-init").stream()
                    .anyMatch(m -> m.startsWith("SecretNotFound: ")));

    password("b-password", "first");
    String first = awaitConfig("b-init", s -> s.phase() == CloudInitPhase.READY).seedHash();

    password("b-password", "second");
    CloudInitConfigStatus second =
        awaitConfig("b-init", s -> s.seedHash() != null && !s.seedHash().equals(first));
    assertThat(second.phase()).isEqualTo(CloudInitPhase.READY);
    assertThat(UserDataSecret.hash(secret("b-init-user-data"))).isEqualTo(second.seedHash());
  }

  @Test
  void anInvalidConfigFailsNamingTheFieldAndKeepsItsLastGoodSecret() {
    client.resource(new CloudInitConfig(NS, "c-init", spec("c", null, KEY))).create();
    CloudInitConfigStatus good = awaitConfig("c-init", s -> s.phase() == CloudInitPhase.READY);

    client
        .resources(CloudInitConfig.class)
        .inNamespace(NS)
        .withName("c-init")
        .edit(
            c -> {
              c.setSpec(spec("c", null, "ssh-ed25519 not-a-key"));
              return c;
            });
    CloudInitConfigStatus failed = awaitConfig("c-init", s -> s.phase() == CloudInitPhase.FAILED);
    assertThat(ready(failed).getReason()).isEqualTo("Invalid");
    assertThat(ready(failed).getMessage()).contains("spec.users[0].sshAuthorizedKeys[0]");
    assertThat(failed.seedHash()).isEqualTo(good.seedHash());
    assertThat(UserDataSecret.hash(secret("c-init-user-data"))).isEqualTo(good.seedHash());
    await()
        .atMost(WAIT)
        .until(
            () ->
                eventMessages("CloudInitConfig", "c-init").stream()
                    .anyMatch(
                        m -> m.startsWith("Invalid: ") && m.contains("sshAuthorizedKeys[0]")));
  }

  @Test
  void aRunningVmWhoseConfigChangesIsRestartRequiredAndTheRestartBringsTheNewSeed() {
    client.resource(new CloudInitConfig(NS, "d-init", spec("d-one", null, KEY))).create();
    awaitConfig("d-init", s -> s.phase() == CloudInitPhase.READY);
    readyVolume("d-root");
    client
        .resource(
            TestVms.newVm("d", TestVms.spec().disk("root", "d-root").cloudInit("d-init").build()))
        .create();
    Pod first = awaitActivePod("d", "");
    kubelet.run(NS, first.getMetadata().getName(), true);
    awaitVm("d", s -> s.printableStatus() == PrintableStatus.RUNNING);
    String before = VmMetadata.annotation(first, VmSeed.INSTANCE_ANNOTATION).orElseThrow();

    client
        .resources(CloudInitConfig.class)
        .inNamespace(NS)
        .withName("d-init")
        .edit(
            c -> {
              c.setSpec(spec("d-two", null, KEY));
              return c;
            });
    VirtualMachineStatus changed =
        awaitVm(
            "d", s -> Conditions.find(s.conditions(), VmConditions.RESTART_REQUIRED).isPresent());
    assertThat(
            Conditions.find(changed.conditions(), VmConditions.RESTART_REQUIRED)
                .orElseThrow()
                .getMessage())
        .contains("CloudInitConfig d-init");
    // The running pod keeps its seed; the VM's Secret already holds the next one.
    assertThat(
            yaml(SecretText.of(secret("d-seed")).get("meta-data")).path("local-hostname").asText())
        .isEqualTo("d-two");

    client
        .resources(VirtualMachine.class)
        .inNamespace(NS)
        .withName("d")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\""
                + VirtualMachine.RESTART_ANNOTATION
                + "\":\"2026-12-01T10:00:00Z\"}}}");
    Pod second = awaitActivePod("d", first.getMetadata().getName());
    assertThat(VmMetadata.annotation(second, VmSeed.INSTANCE_ANNOTATION).orElseThrow())
        .isNotEqualTo(before)
        .isEqualTo(
            VmMetadata.annotation(secret("d-seed"), VmSeed.INSTANCE_ANNOTATION).orElseThrow());
    kubelet.run(NS, second.getMetadata().getName(), true);
    awaitVm(
        "d",
        s ->
            s.printableStatus() == PrintableStatus.RUNNING
                && Conditions.find(s.conditions(), VmConditions.RESTART_REQUIRED).isEmpty());
  }

  @Test
  void theGarbageCollectorDeletesAConfigsSecretWithIt() {
    client.resource(new CloudInitConfig(NS, "e-init", spec("e", null, KEY))).create();
    awaitConfig("e-init", s -> s.phase() == CloudInitPhase.READY);
    String uid = config("e-init").getMetadata().getUid();
    assertThat(secret("e-init-user-data").getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(uid));
    client.resources(CloudInitConfig.class).inNamespace(NS).withName("e-init").delete();
    await().atMost(WAIT).until(() -> config("e-init") == null);
    if (cluster.real()) {
      // The mock has no garbage collector: there the owner reference above is what is checked.
      await().atMost(Duration.ofMinutes(1)).until(() -> secret("e-init-user-data") == null);
    }
  }
}
