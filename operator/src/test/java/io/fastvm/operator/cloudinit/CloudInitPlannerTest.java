package io.fastvm.operator.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.CloudInitPhase;
import io.fastvm.api.v1alpha1.GuestNetwork;
import io.fastvm.api.v1alpha1.GuestUser;
import io.fastvm.api.v1alpha1.NetworkMode;
import io.fastvm.api.v1alpha1.SecretKeyRef;
import io.fastvm.cloudinit.RenderedConfig;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.status.PlannedEvent;
import io.fastvm.operator.testing.TestVms;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.codec.digest.Crypt;
import org.junit.jupiter.api.Test;

/** The CloudInitConfig planner, called directly: render, validate, write, report. */
class CloudInitPlannerTest {
  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  static final String PASSWORD = "correct horse battery staple";
  static final String KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHvMwQFNKKco0aed1jZrA5QcWacQkvwnqInqS/n92Ylo"
          + " alice@example";

  static CloudInitConfig config(String name, GuestUser... users) {
    CloudInitConfig config =
        new CloudInitConfig(
            TestVms.NS,
            name,
            new CloudInitConfigSpec(
                "web-01",
                List.of(users),
                List.of("qemu-guest-agent"),
                null,
                new GuestNetwork(
                    NetworkMode.STATIC, "192.168.10.21/24", "192.168.10.1", null, null),
                null));
    config.getMetadata().setUid("uid-" + name);
    config.getMetadata().setGeneration(1L);
    return config;
  }

  static GuestUser alice(String key) {
    return new GuestUser(
        "alice", new SecretKeyRef("alice-password", null), List.of(key), true, null, null);
  }

  static Secret password(String name, Map<String, String> text) {
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(TestVms.NS)
        .withName(name)
        .endMetadata()
        .withData(SecretText.data(text))
        .build();
  }

  static CloudInitPlan plan(CloudInitConfig config, Map<String, Secret> secrets, Secret own) {
    return CloudInitPlanner.plan(
        new CloudInitObserved(config, secrets, Optional.ofNullable(own), NOW));
  }

  static Map<String, Secret> alicePassword(String value) {
    return Map.of("alice-password", password("alice-password", Map.of("password", value)));
  }

  static Condition ready(CloudInitPlan plan) {
    return Conditions.find(plan.status().conditions(), CloudInitConditions.READY).orElseThrow();
  }

  @Test
  void aValidConfigIsWrittenToItsSecretAndIsReadyWithTheHashOfWhatItRendered() {
    CloudInitConfig config = config("web", alice(KEY));

    CloudInitPlan plan = plan(config, alicePassword(PASSWORD), null);

    Secret secret = plan.write().orElseThrow();
    assertThat(secret.getMetadata().getName()).isEqualTo("web-user-data");
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo("uid-web"));
    RenderedConfig rendered = RenderedConfig.fromSecretData(SecretText.of(secret));
    assertThat(rendered.hostname()).isEqualTo("web-01");
    assertThat(rendered.network().address()).isEqualTo("192.168.10.21/24");
    assertThat(plan.status().phase()).isEqualTo(CloudInitPhase.READY);
    assertThat(plan.status().secretName()).isEqualTo("web-user-data");
    assertThat(plan.status().seedHash()).isEqualTo(rendered.hash());
    assertThat(UserDataSecret.hash(secret)).isEqualTo(rendered.hash());
    assertThat(ready(plan).getStatus()).isEqualTo("True");
    assertThat(ready(plan).getReason()).isEqualTo("Rendered");
    assertThat(plan.events()).extracting(PlannedEvent::reason).containsExactly("Rendered");
  }

  @Test
  void thePasswordIsOnlyEverAHashThatVerifies() {
    CloudInitPlan plan = plan(config("web", alice(KEY)), alicePassword(PASSWORD), null);

    Secret secret = plan.write().orElseThrow();
    String userData = SecretText.of(secret).get(RenderedConfig.USER_DATA);
    assertThat(SecretText.of(secret).values()).noneMatch(v -> v.contains(PASSWORD));
    assertThat(plan.status().toString()).doesNotContain(PASSWORD);
    assertThat(plan.events()).noneMatch(e -> e.message().contains(PASSWORD));
    String hash =
        userData
            .lines()
            .filter(l -> l.strip().startsWith("passwd:"))
            .map(l -> l.substring(l.indexOf(':') + 1).strip().replace("\"", ""))
            .findFirst()
            .orElseThrow();
    assertThat(hash).startsWith("$6$");
    assertThat(Crypt.crypt(PASSWORD, hash)).isEqualTo(hash);
  }

  @Test
  void aSecretThatAlreadyHoldsItIsLeftAloneAndNothingIsAnnouncedAgain() {
    CloudInitConfig config = config("web", alice(KEY));
    CloudInitPlan first = plan(config, alicePassword(PASSWORD), null);
    config.setStatus(first.status());

    CloudInitPlan again = plan(config, alicePassword(PASSWORD), first.write().orElseThrow());

    assertThat(again.write()).isEmpty();
    assertThat(again.status()).isEqualTo(first.status());
    assertThat(again.events()).isEmpty();
  }

  @Test
  void aChangedPasswordRendersAnotherSeed() {
    CloudInitConfig config = config("web", alice(KEY));
    CloudInitPlan first = plan(config, alicePassword(PASSWORD), null);
    config.setStatus(first.status());

    CloudInitPlan changed = plan(config, alicePassword("another one"), first.write().get());

    assertThat(changed.write()).isPresent();
    assertThat(changed.status().seedHash()).isNotEqualTo(first.status().seedHash());
    assertThat(changed.events()).extracting(PlannedEvent::reason).containsExactly("Rendered");
  }

  @Test
  void aMissingPasswordSecretOrKeyKeepsItPendingAndNamesTheField() {
    CloudInitPlan missing = plan(config("web", alice(KEY)), Map.of(), null);

    assertThat(missing.write()).isEmpty();
    assertThat(missing.status().phase()).isEqualTo(CloudInitPhase.PENDING);
    assertThat(ready(missing).getReason()).isEqualTo("SecretNotFound");
    assertThat(ready(missing).getMessage())
        .isEqualTo("spec.users[0].passwordSecretRef: Secret alice-password does not exist");
    assertThat(missing.events()).singleElement().satisfies(e -> assertThat(e.warning()).isTrue());

    CloudInitPlan noKey =
        plan(
            config("web", alice(KEY)),
            Map.of("alice-password", password("alice-password", Map.of("pass", PASSWORD))),
            null);
    assertThat(ready(noKey).getMessage())
        .isEqualTo(
            "spec.users[0].passwordSecretRef: Secret alice-password has no key password (it has"
                + " pass)");
  }

  @Test
  void anInvalidConfigIsFailedNamingTheFieldAndKeepsItsLastGoodSecret() {
    CloudInitConfig config = config("web", alice(KEY));
    CloudInitPlan good = plan(config, alicePassword(PASSWORD), null);
    config.setStatus(good.status());

    CloudInitConfig broken = config("web", alice("ssh-ed25519 not-base64!"));
    broken.setStatus(good.status());
    CloudInitPlan plan = plan(broken, alicePassword(PASSWORD), good.write().get());

    assertThat(plan.write()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(CloudInitPhase.FAILED);
    assertThat(ready(plan).getReason()).isEqualTo("Invalid");
    assertThat(ready(plan).getMessage()).contains("spec.users[0].sshAuthorizedKeys[0]");
    assertThat(plan.status().secretName()).isEqualTo(good.status().secretName());
    assertThat(plan.status().seedHash()).isEqualTo(good.status().seedHash());
    assertThat(plan.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.warning()).isTrue();
              assertThat(e.reason()).isEqualTo("Invalid");
              assertThat(e.message()).contains("spec.users[0].sshAuthorizedKeys[0]");
            });
  }

  @Test
  void aSecretOfSomeoneElsesUnderTheNameIsNeverOverwritten() {
    Secret foreign = password("web-user-data", Map.of("user-data", "mine"));

    CloudInitPlan plan = plan(config("web", alice(KEY)), alicePassword(PASSWORD), foreign);

    assertThat(plan.write()).isEmpty();
    assertThat(plan.status().phase()).isEqualTo(CloudInitPhase.FAILED);
    assertThat(ready(plan).getReason()).isEqualTo("SecretConflict");
    assertThat(ready(plan).getMessage())
        .isEqualTo("Secret web-user-data exists but is not managed by fastvm; delete or rename it");
  }
}
