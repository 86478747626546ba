package io.fastvm.node.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.GuestNetwork;
import io.fastvm.api.v1alpha1.GuestUser;
import io.fastvm.api.v1alpha1.NetworkMode;
import io.fastvm.api.v1alpha1.SecretKeyRef;
import java.io.RandomAccessFile;
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
    assertThat(meta.path("instance-id").asText()).isEqualTo("fastvm-lab-web");
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
        .hasMessageContaining("Secret pw is not among the manifests");
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

  @Test
  void seedIsoHasVolumeIdCidataAndTheFiles() throws Exception {
    NoCloudSeed seed =
        NoCloudRenderer.render(spec(null), "lab", "web", "52:54:00:12:34:56", SECRETS);
    Path dir = tmp.resolve("seed");
    seed.writeTo(dir);
    Path iso = tmp.resolve("seed.iso");
    SeedIso.build(Path.of("/usr/bin/xorriso"), dir, iso);
    byte[] volumeId = new byte[32];
    try (RandomAccessFile f = new RandomAccessFile(iso.toFile(), "r")) {
      f.seek(16 * 2048 + 40); // primary volume descriptor, volume identifier
      f.readFully(volumeId);
    }
    assertThat(new String(volumeId, StandardCharsets.US_ASCII).strip()).isEqualTo("cidata");
    String listing = run("xorriso", "-indev", iso.toString(), "-ls", "/");
    assertThat(listing).contains("'user-data'", "'meta-data'", "'network-config'");
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
