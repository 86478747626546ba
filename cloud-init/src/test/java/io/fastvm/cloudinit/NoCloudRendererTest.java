package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.GuestNetwork;
import io.fastvm.api.v1alpha1.GuestUser;
import io.fastvm.api.v1alpha1.NetworkMode;
import io.fastvm.api.v1alpha1.SecretKeyRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.digest.Crypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoCloudRendererTest {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Map<String, Map<String, String>> SECRETS =
      Map.of("pw", Map.of("password", "correct horse", "other", "battery staple"));

  private static final String MAC = "52:54:00:12:34:56";

  @TempDir Path tmp;

  private static CloudInitConfigSpec spec(String userData) {
    return new CloudInitConfigSpec(
        "web-1",
        List.of(
            new GuestUser(
                "alice",
                new SecretKeyRef("pw", null),
                List.of("ssh-ed25519 AAAAC3Nza alice@laptop"),
                true,
                List.of("adm", "sudo"),
                null),
            new GuestUser("bob", null, null, false, null, "/bin/sh")),
        List.of("qemu-guest-agent", "spice-vdagent"),
        true,
        new GuestNetwork(
            NetworkMode.STATIC,
            "192.168.10.5/24",
            "192.168.10.1",
            List.of("1.1.1.1"),
            List.of("lab.example")),
        userData);
  }

  @Test
  void rendersCloudConfigMetaDataAndNetworkConfig() throws Exception {
    NoCloudSeed seed =
        NoCloudRenderer.render(spec(null), "lab", "web", "52:54:00:12:34:56", SECRETS);
    assertThat(seed.userData()).startsWith("#cloud-config\n").doesNotContain("correct horse");
    JsonNode config = YAML.readTree(seed.userData());
    assertThat(config.path("hostname").asText()).isEqualTo("web-1");
    JsonNode alice = config.path("users").get(1);
    assertThat(alice.path("name").asText()).isEqualTo("alice");
    assertThat(alice.path("sudo").asText()).isEqualTo("ALL=(ALL) NOPASSWD:ALL");
    assertThat(alice.path("lock_passwd").asBoolean()).isFalse();
    String hash = alice.path("passwd").asText();
    assertThat(hash).startsWith("$6$");
    assertThat(Crypt.crypt("correct horse", hash)).isEqualTo(hash);
    assertThat(config.path("users").get(2).path("lock_passwd").asBoolean()).isTrue();
    assertThat(config.path("packages").findValuesAsText("packages")).isEmpty();
    assertThat(config.path("packages").toString()).contains("qemu-guest-agent");
    assertThat(config.path("package_upgrade").asBoolean()).isTrue();
    assertThat(config.path("ssh_pwauth").asBoolean()).isTrue();

    JsonNode meta = YAML.readTree(seed.metaData());
    assertThat(meta.path("instance-id").asText()).matches("fastvm-[0-9a-f]{20}");
    assertThat(seed.instanceId()).isEqualTo(meta.path("instance-id").asText());
    assertThat(meta.path("local-hostname").asText()).isEqualTo("web-1");

    JsonNode net = YAML.readTree(seed.networkConfig());
    assertThat(net.path("version").asInt()).isEqualTo(2);
    JsonNode nic = net.path("ethernets").path("nic0");
    assertThat(nic.path("match").path("macaddress").asText()).isEqualTo("52:54:00:12:34:56");
    assertThat(nic.path("addresses").get(0).asText()).isEqualTo("192.168.10.5/24");
    assertThat(nic.path("gateway4").asText()).isEqualTo("192.168.10.1");
    assertThat(nic.path("nameservers").path("search").get(0).asText()).isEqualTo("lab.example");
  }

  @Test
  void theInstanceIdChangesExactlyWhenTheSeedDoes() {
    String id = instanceId(NoCloudRenderer.render(spec(null), "lab", "web", MAC, SECRETS));
    assertThat(instanceId(NoCloudRenderer.render(spec(null), "lab", "web", MAC, SECRETS)))
        .isEqualTo(id);
    // Another password, another user-data.
    assertThat(
            instanceId(
                NoCloudRenderer.render(
                    spec(null), "lab", "web", MAC, Map.of("pw", Map.of("password", "new one")))))
        .isNotEqualTo(id);
    // Another NIC, another network-config; another VM (a clone of this one's disk must not
    // count as this instance).
    assertThat(
            instanceId(
                NoCloudRenderer.render(spec(null), "lab", "web", "52:54:00:00:00:01", SECRETS)))
        .isNotEqualTo(id);
    assertThat(instanceId(NoCloudRenderer.render(spec(null), "lab", "web2", MAC, SECRETS)))
        .isNotEqualTo(id);
  }

  @Test
  void withoutAHostnameTheVmsNameIsTheLocalHostnameAndTheUserDataIsTheSameForEveryVm()
      throws Exception {
    CloudInitConfigSpec unnamed =
        new CloudInitConfigSpec(
            null,
            List.of(new GuestUser("bob", null, null, false, null, null)),
            null,
            null,
            null,
            null);
    RenderedConfig config = NoCloudRenderer.config(unnamed, "lab", "shared", SECRETS);
    assertThat(YAML.readTree(config.userData()).has("hostname")).isFalse();
    NoCloudSeed a = NoCloudRenderer.seed(config, "lab", "vm-a", List.of(MAC));
    NoCloudSeed b = NoCloudRenderer.seed(config, "lab", "vm-b", List.of(MAC));
    assertThat(a.userData()).isEqualTo(b.userData());
    assertThat(YAML.readTree(a.metaData()).path("local-hostname").asText()).isEqualTo("vm-a");
    assertThat(YAML.readTree(b.metaData()).path("local-hostname").asText()).isEqualTo("vm-b");
  }

  @Test
  void everyNicIsMatchedByItsMacTheFirstAsConfiguredTheOthersByDhcp() throws Exception {
    RenderedConfig config = NoCloudRenderer.config(spec(null), "lab", "web", SECRETS);
    NoCloudSeed seed =
        NoCloudRenderer.seed(
            config, "lab", "web", List.of("52:54:00:AA:00:01", "52:54:00:aa:00:02"));
    JsonNode ethernets = YAML.readTree(seed.networkConfig()).path("ethernets");
    assertThat(ethernets.size()).isEqualTo(2);
    assertThat(ethernets.path("nic0").path("match").path("macaddress").asText())
        .isEqualTo("52:54:00:aa:00:01");
    assertThat(ethernets.path("nic0").path("dhcp4").asBoolean()).isFalse();
    assertThat(ethernets.path("nic0").path("set-name").asText()).isEqualTo("eth0");
    assertThat(ethernets.path("nic1").path("match").path("macaddress").asText())
        .isEqualTo("52:54:00:aa:00:02");
    assertThat(ethernets.path("nic1").path("dhcp4").asBoolean()).isTrue();
    assertThat(ethernets.path("nic1").path("set-name").asText()).isEqualTo("eth1");
    assertThat(ethernets.path("nic1").has("nameservers")).isFalse();
  }

  @Test
  void aRenderedConfigSurvivesItsSecretAndItsHashFollowsItsContent() {
    RenderedConfig config = NoCloudRenderer.config(spec(null), "lab", "web", SECRETS);
    assertThat(RenderedConfig.fromSecretData(config.toSecretData())).isEqualTo(config);
    RenderedConfig unnamed = new RenderedConfig(config.userData(), null, null);
    assertThat(RenderedConfig.fromSecretData(unnamed.toSecretData())).isEqualTo(unnamed);
    assertThat(config.hash()).matches("[0-9a-f]{64}").isEqualTo(config.hash());
    assertThat(unnamed.hash()).isNotEqualTo(config.hash());
    assertThatThrownBy(() -> RenderedConfig.fromSecretData(Map.of()))
        .hasMessageContaining("no user-data");
  }

  private static String instanceId(NoCloudSeed seed) {
    try {
      return YAML.readTree(seed.metaData()).path("instance-id").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void cloudInitsYamlParserReadsEveryValueBackAsWritten() throws Exception {
    // PyYAML is what cloud-init parses with: YAML 1.1, where 52:54:00:12:34:56 unquoted is an
    // integer (base 60), "yes" a boolean and 0755 an octal number.
    CloudInitConfigSpec tricky =
        new CloudInitConfigSpec(
            "yes",
            List.of(new GuestUser("on", null, null, false, List.of("0755"), null)),
            null,
            null,
            new GuestNetwork(NetworkMode.STATIC, "10.0.0.5/24", null, List.of("10.0.0.1"), null),
            null);
    NoCloudSeed seed = NoCloudRenderer.render(tricky, "ns", "vm", "52:54:00:12:34:56", Map.of());
    Path file = tmp.resolve("seed.yaml");
    Files.writeString(
        file, seed.networkConfig() + "---\n" + seed.userData() + "---\n" + seed.metaData());
    String script =
        "import json, sys, yaml\n"
            + "print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))\n";
    JsonNode docs =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(run("python3", "-c", script, file.toString()));
    JsonNode nic = docs.get(0).path("ethernets").path("nic0");
    assertThat(nic.path("match").path("macaddress").isTextual()).isTrue();
    assertThat(nic.path("match").path("macaddress").asText()).isEqualTo("52:54:00:12:34:56");
    assertThat(docs.get(1).path("hostname").asText()).isEqualTo("yes");
    assertThat(docs.get(1).path("hostname").isTextual()).isTrue();
    assertThat(docs.get(1).path("users").get(1).path("name").isTextual()).isTrue();
    assertThat(docs.get(1).path("users").get(1).path("groups").asText()).isEqualTo("0755");
    assertThat(docs.get(2).path("local-hostname").asText()).isEqualTo("yes");
  }

  @Test
  void isAPureFunction() {
    assertThat(NoCloudRenderer.render(spec(null), "lab", "web", "52:54:00:12:34:56", SECRETS))
        .isEqualTo(NoCloudRenderer.render(spec(null), "lab", "web", "52:54:00:12:34:56", SECRETS));
    // Same password, other VM: another salt, another hash.
    assertThat(NoCloudRenderer.sha512Crypt("pw", "a/b/c"))
        .isNotEqualTo(NoCloudRenderer.sha512Crypt("pw", "a/b/d"));
  }

  @Test
  void rawUserDataAloneIsPassedThroughAndWithUsersBecomesASecondMimePart() {
    String script = "#!/bin/sh\necho hello\n";
    CloudInitConfigSpec only = new CloudInitConfigSpec(null, null, null, null, null, script);
    NoCloudSeed plain = NoCloudRenderer.render(only, "ns", "vm", null, Map.of());
    assertThat(plain.userData()).isEqualTo(script);
    assertThat(plain.networkConfig()).isNull();

    NoCloudSeed mixed = NoCloudRenderer.render(spec(script), "ns", "vm", null, SECRETS);
    assertThat(mixed.userData())
        .startsWith("Content-Type: multipart/mixed; boundary=")
        .contains("Content-Type: text/cloud-config")
        .contains("Content-Type: text/x-shellscript")
        .contains("echo hello")
        .endsWith("--" + NoCloudRenderer.BOUNDARY + "--\n");
  }

  @Test
  void missingSecretOrKeyIsNamed() {
    assertThatThrownBy(() -> NoCloudRenderer.render(spec(null), "ns", "vm", null, Map.of()))
        .hasMessageContaining("user alice: Secret pw not found");
    CloudInitConfigSpec wrongKey =
        new CloudInitConfigSpec(
            null,
            List.of(new GuestUser("carol", new SecretKeyRef("pw", "nope"), null, null, null, null)),
            null,
            null,
            null,
            null);
    assertThatThrownBy(() -> NoCloudRenderer.render(wrongKey, "ns", "vm", null, SECRETS))
        .hasMessageContaining("has no key nope");
  }

  @Test
  void cloudInitItselfAcceptsTheUserData() throws Exception {
    NoCloudSeed seed =
        NoCloudRenderer.render(spec(null), "lab", "web", "52:54:00:12:34:56", SECRETS);
    Path file = tmp.resolve("user-data");
    Files.writeString(file, seed.userData());
    assertThat(run("cloud-init", "schema", "--config-file", file.toString()))
        .contains("Valid cloud-config");
    // The same check fails for a broken config, so it proves something.
    Files.writeString(file, "#cloud-config\nusers: 5\n");
    assertThatThrownBy(() -> run("cloud-init", "schema", "--config-file", file.toString()))
        .hasMessageContaining("users");
  }

  private static String run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", argv) + " failed: " + out);
    }
    return out;
  }
}
