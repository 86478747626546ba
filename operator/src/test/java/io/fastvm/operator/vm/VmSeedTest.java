package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.CloudInitConfigStatus;
import io.fastvm.api.v1alpha1.CloudInitPhase;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.cloudinit.NoCloudRenderer;
import io.fastvm.cloudinit.RenderedConfig;
import io.fastvm.contract.MacAddresses;
import io.fastvm.operator.cloudinit.SecretText;
import io.fastvm.operator.cloudinit.UserDataSecret;
import io.fastvm.operator.testing.TestVms;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The VM's own seed, decided from its config's Secret without I/O. */
class VmSeedTest {
  final VirtualMachine vm =
      TestVms.vm("web", TestVms.spec().disk("root", "root").natWithSsh().cloudInit("init").build());
  final CloudInitConfig config = TestVms.cloudInit("init");
  final RenderedConfig rendered =
      NoCloudRenderer.config(config.getSpec(), TestVms.NS, "init", Map.of());

  VmSeedTest() {
    config.getMetadata().setUid("uid-init");
    config.setStatus(
        new CloudInitConfigStatus(
            CloudInitPhase.READY, "init-user-data", rendered.hash(), null, 1L));
  }

  Secret userData(RenderedConfig content) {
    return UserDataSecret.desired(config, content);
  }

  @Test
  void aVmGetsItsOwnSeedFromItsConfigsSecret() {
    VmSeed.Decision decision =
        VmSeed.decide(vm, config, Optional.of(userData(rendered)), Optional.empty());

    Secret seed = decision.write().orElseThrow();
    assertThat(seed.getMetadata().getName()).isEqualTo("web-seed");
    assertThat(decision.secretName()).contains("web-seed");
    assertThat(seed.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(vm.getMetadata().getUid()));
    Map<String, String> files = SecretText.of(seed);
    assertThat(files).containsOnlyKeys("user-data", "meta-data", "network-config");
    assertThat(files.get("user-data")).isEqualTo(rendered.userData());
    assertThat(files.get("network-config"))
        .contains(MacAddresses.stable(TestVms.NS, "web", "default"));
    assertThat(decision.instanceId()).isPresent();
    assertThat(VmMetadata.annotation(seed, VmSeed.INSTANCE_ANNOTATION))
        .isEqualTo(decision.instanceId());
    assertThat(decision.problem()).isEmpty();
  }

  @Test
  void aSeedThatIsUpToDateIsNotWrittenAgain() {
    Secret written =
        VmSeed.decide(vm, config, Optional.of(userData(rendered)), Optional.empty())
            .write()
            .orElseThrow();

    VmSeed.Decision again =
        VmSeed.decide(vm, config, Optional.of(userData(rendered)), Optional.of(written));

    assertThat(again.write()).isEmpty();
    assertThat(again.secretName()).contains("web-seed");
  }

  @Test
  void aConfigSecretOlderThanTheConfigsStatusIsWaitedFor() {
    RenderedConfig older = new RenderedConfig("#cloud-config\n", null, null);

    VmSeed.Decision decision =
        VmSeed.decide(vm, config, Optional.of(userData(older)), Optional.empty());

    assertThat(decision.write()).isEmpty();
    assertThat(decision.secretName()).isEmpty();
    assertThat(decision.problem().orElseThrow().reason()).isEqualTo("CloudInitConfigNotReady");
    assertThat(decision.problem().get().message())
        .isEqualTo("CloudInitConfig init is Ready but its Secret init-user-data is not up to date");
    assertThat(VmSeed.decide(vm, config, Optional.empty(), Optional.empty()).problem()).isPresent();
  }

  @Test
  void aSecretOfSomeoneElsesUnderTheSeedsNameIsNeverOverwritten() {
    Secret foreign =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(TestVms.NS)
            .withName("web-seed")
            .endMetadata()
            .build();

    VmSeed.Decision decision =
        VmSeed.decide(vm, config, Optional.of(userData(rendered)), Optional.of(foreign));

    assertThat(decision.write()).isEmpty();
    assertThat(decision.problem().orElseThrow().reason()).isEqualTo("SecretConflict");
    assertThat(decision.problem().get().message()).startsWith("Secret web-seed exists but is not");
  }

  @Test
  void anotherVmOfTheSameConfigGetsAnotherInstanceAndItsOwnHostname() {
    VirtualMachine other =
        TestVms.vm(
            "db", TestVms.spec().disk("root", "root").natWithSsh().cloudInit("init").build());
    CloudInitConfig unnamed =
        new CloudInitConfig(
            TestVms.NS, "init", new CloudInitConfigSpec(null, null, null, null, null, null));
    RenderedConfig content =
        NoCloudRenderer.config(unnamed.getSpec(), TestVms.NS, "init", Map.of());
    unnamed.setStatus(
        new CloudInitConfigStatus(
            CloudInitPhase.READY, "init-user-data", content.hash(), null, 1L));
    Secret secret = UserDataSecret.desired(unnamed, content);

    VmSeed.Decision web = VmSeed.decide(vm, unnamed, Optional.of(secret), Optional.empty());
    VmSeed.Decision db = VmSeed.decide(other, unnamed, Optional.of(secret), Optional.empty());

    assertThat(web.instanceId()).isNotEqualTo(db.instanceId());
    assertThat(SecretText.of(web.write().get()).get("meta-data")).contains("\"web\"");
    assertThat(SecretText.of(db.write().get()).get("meta-data")).contains("\"db\"");
  }
}
