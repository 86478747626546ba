package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.GuestNetwork;
import io.fastvm.api.v1alpha1.GuestUser;
import io.fastvm.api.v1alpha1.NetworkMode;
import io.fastvm.api.v1alpha1.SecretKeyRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Everything NoCloudRenderer renders for realistic specs passes SeedValidator, the real {@code
 * cloud-init schema} (each cloud-config part) and the real {@code cloud-init devel net-convert}
 * (the network-config, read by cloud-init's own v2 parser and rendered for systemd-networkd).
 */
class RenderedSeedTest {

  @TempDir Path tmp;

  static final String ED25519 =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8nuf7NHLOwEwqzC2b/aP4xItdMJAVww+FRAl75QbNx alice@laptop";
  static final String RSA =
      "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCqZ4iAAQc3Ngahr2p1mIB0dReUbBQvaG/EqE91O8XR07JToa4ye0YR6"
          + "/cE3I4Ywmyh/UoRGoj41+IFE4NS+vefeMqlObu27jbHwKi3uNYTCvx7nTpS1TBhIO2RagbtqQIDDWeo7S0l3C77u"
          + "uXLKnCjUW63qCIwbtJToyTo71Vn3FWdoBbHciS7B0Lvxb4dtk4S6WaIuoaRiiLBSAJmt49fE4JAcUVj3RX5Wmb8Gld"
          + "FJCdd/0hrIyIyrY1BAuAFN1guxe0stUniUTV6r5iotdoKc8FbyojeEMFm0Q0cE2oCt7Tu3vcw7I4zsavy/LIQaT8g"
          + "EPgbqAQbBLKHbVZmIcRfGrhQP9db99lEZLBEKXQFk5Zve/rPZDKB6QTHn73f0efMRzL1dVBcDIeMStIXdBk93+93Z"
          + "xpNp6QoflIQaTLfle9G0RVyAMZZge4abf8TiVeTzWaUYvUSxj4EaHylMZ8hhq31GqXIFVGI1HhPa893Rks9XTyAxZ"
          + "Q1k0vs1NZG/OM= bob@ci";

  static final Map<String, Map<String, String>> SECRETS =
      Map.of("alice-pw", Map.of("password", "correct horse battery staple"));

  static Stream<Arguments> specs() {
    List<GuestUser> users =
        List.of(
            new GuestUser(
                "alice",
                new SecretKeyRef("alice-pw", null),
                List.of(ED25519, RSA),
                true,
                List.of("adm", "sudo"),
                null),
            new GuestUser("bob", null, List.of(RSA), false, null, "/bin/sh"));
    GuestNetwork staticNet =
        new GuestNetwork(
            NetworkMode.STATIC,
            "192.168.10.5/24",
            "192.168.10.1",
            List.of("1.1.1.1", "2606:4700:4700::1111"),
            List.of("lab.example.com"));
    GuestNetwork staticV6 =
        new GuestNetwork(NetworkMode.STATIC, "fd00:10::5/64", "fd00:10::1", null, null);
    GuestNetwork dhcp = new GuestNetwork(NetworkMode.DHCP, null, null, List.of("9.9.9.9"), null);
    String cloudConfig =
        "#cloud-config\nruncmd:\n  - [systemctl, enable, --now, qemu-guest-agent]\n"
            + "write_files:\n  - path: /etc/motd\n    content: hello\n    permissions: '0644'\n";
    String script = "#!/bin/sh\necho first boot > /var/log/fastvm-first-boot\n";
    return Stream.of(
        Arguments.of(
            "users, packages, static IPv4",
            new CloudInitConfigSpec(
                "web-1",
                users,
                List.of("qemu-guest-agent", "nginx=1.22.1-9"),
                true,
                staticNet,
                null)),
        Arguments.of(
            "users and a raw cloud-config",
            new CloudInitConfigSpec(null, users, null, null, dhcp, cloudConfig)),
        Arguments.of(
            "packages and a script, static IPv6",
            new CloudInitConfigSpec("db-1", null, List.of("postgresql"), false, staticV6, script)),
        Arguments.of(
            "a raw cloud-config alone",
            new CloudInitConfigSpec(null, null, null, null, null, cloudConfig)),
        Arguments.of(
            "nothing at all", new CloudInitConfigSpec(null, null, null, null, null, null)));
  }

  /** MACs as QEMU gives them: 52:54:00 and three more bytes, some all digits (YAML 1.1 numbers). */
  static final List<String> MACS = List.of("52:54:00:12:34:56", "52:54:00:AB:CD:EF");

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void passesTheValidatorAndCloudInit(String name, CloudInitConfigSpec spec) throws Exception {
    RenderedConfig config = NoCloudRenderer.config(spec, "lab", "cfg", SECRETS);
    NoCloudSeed seed = NoCloudRenderer.seed(config, "lab", "vm-1", MACS);

    assertThat(SeedValidator.check(spec, seed.userData(), seed.networkConfig()))
        .as("problems of the seed rendered for %s", name)
        .isEmpty();
    assertThat(SeedValidator.check(spec, config.userData(), null))
        .as("problems of the config rendered for %s, before any VM", name)
        .isEmpty();

    List<String> cloudConfigs = new ArrayList<>();
    if (UserDataKind.of(seed.userData()) == UserDataKind.MIME) {
      for (MimeUserData.Part part : MimeUserData.parts(seed.userData())) {
        if (part.kind() == UserDataKind.CLOUD_CONFIG) {
          cloudConfigs.add(part.content());
        }
      }
    } else if (UserDataKind.of(seed.userData()) == UserDataKind.CLOUD_CONFIG) {
      cloudConfigs.add(seed.userData());
    }
    assertThat(cloudConfigs).as("cloud-configs in the user-data of %s", name).isNotEmpty();
    for (int i = 0; i < cloudConfigs.size(); i++) {
      CloudInitCli.Verdict verdict =
          CloudInitCli.schema(tmp, "part" + i + ".yaml", cloudConfigs.get(i));
      assertThat(verdict.valid())
          .as("cloud-init schema on\n%s\n%s", cloudConfigs.get(i), verdict.output())
          .isTrue();
    }
    assertThat(netConvert(seed.networkConfig())).contains("MACAddress=52:54:00:12:34:56");
  }

  /** cloud-init's own network-config v2 parser, rendering for systemd-networkd. */
  String netConvert(String networkConfig) throws IOException, InterruptedException {
    Path in = tmp.resolve("network-config");
    Path out = tmp.resolve("networkd");
    Files.writeString(in, networkConfig);
    Process p =
        new ProcessBuilder(
                Prerequisites.cloudInit().toString(),
                "devel",
                "net-convert",
                "-p",
                in.toString(),
                "-k",
                "yaml",
                "-d",
                out.toString(),
                "-D",
                "debian",
                "-O",
                "networkd")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("net-convert of\n%s\n%s", networkConfig, output).isZero();
    StringBuilder files = new StringBuilder();
    try (Stream<Path> walk = Files.walk(out)) {
      for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
        files.append(Files.readString(f));
      }
    }
    return files.toString();
  }
}
