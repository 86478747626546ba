package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.GuestNetwork;
import io.fastvm.api.v1alpha1.GuestUser;
import io.fastvm.api.v1alpha1.NetworkMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SeedValidatorTest {

  @TempDir Path tmp;

  static CloudInitConfigSpec raw(String userData) {
    return new CloudInitConfigSpec(null, null, null, null, null, userData);
  }

  /** Checks raw user-data alone, as the renderer passes it through. */
  static List<SeedProblem> check(String userData) {
    return SeedValidator.check(raw(userData), userData, null);
  }

  /** 1-based line of the first line of {@code text} that contains {@code needle}. */
  static int lineOf(String text, String needle) {
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(needle)) {
        return i + 1;
      }
    }
    throw new AssertionError(needle + " not in\n" + text);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "#include\\nhttps://example.com/user-data | an #include list of URLs",
        "#include-once\\nhttps://example.com/u | an #include-once list of URLs",
        "#cloud-boothook\\n#!/bin/sh\\necho hi | a #cloud-boothook",
        "## template: jinja\\n#cloud-config\\nhostname: {{ v1.local_hostname }} | a jinja template",
        "#cloud-config-archive\\n- type: text/cloud-config | a #cloud-config-archive",
        "#part-handler\\ndef list_types(): pass | a #part-handler",
        "hostname: web-1\\npackages: [vim] | plain text, which cloud-init ignores",
      })
  void kindsOtherThanCloudConfigScriptAndMimeAreRefusedAtLine1(String text, String kind) {
    String userData = text.replace("\\n", "\n");
    assertThat(check(userData))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("spec.userData");
              assertThat(p.line()).isEqualTo(1);
              assertThat(p.message()).startsWith("is " + kind).contains(UserDataKind.ALLOWED);
              assertThat(p.describe()).startsWith("spec.userData line 1: is " + kind);
            });
  }

  @Test
  void mimeWithoutMimeVersionIsCalledOut() {
    String userData =
        "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/x-shellscript\n\n"
            + "#!/bin/sh\necho hi\n--b--\n";
    assertThat(check(userData))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("only with a MIME-Version header"));
  }

  @Test
  void cloudConfigScriptAndMimeAreAllowed() {
    assertThat(check("#cloud-config\npackages: [htop]\n")).isEmpty();
    assertThat(check("#!/bin/bash\nset -e\napt-get install -y htop\n")).isEmpty();
    assertThat(check(mime("text/cloud-config", "#cloud-config\nruncmd: [ls]\n"))).isEmpty();
  }

  @Test
  void headersMustBeExact() {
    assertThat(check(" #cloud-config\nruncmd: [ls]\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("exactly \"#cloud-config\""));
    assertThat(check("#Cloud-Config\nruncmd: [ls]\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.line()).isEqualTo(1));
    assertThat(check("\n#!/bin/sh\necho hi\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("#! at its very first character"));
    assertThat(check("#!\necho hi\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("names no interpreter"));
  }

  @Test
  void yamlErrorsGiveLineAndColumn() {
    String userData = "#cloud-config\nusers:\n  - name: alice\n    shell: [/bin/bash\n";
    assertThat(check(userData))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(lineOf(userData, "shell:"));
              assertThat(p.message()).contains("not valid YAML").contains("column 12");
            });
  }

  @Test
  void schemaErrorsGiveTheLineOfTheOffendingKey() {
    String userData =
        "#cloud-config\npackages: [htop]\nusers:\n  - name: alice\n    shell: /bin/bash\n"
            + "    lock-passwd: false\n    lock_passwd: \"no\"\n";
    assertThat(check(userData))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(lineOf(userData, "lock_passwd"));
              assertThat(p.message())
                  .isEqualTo("users[0].lock_passwd: must be true or false, not the string \"no\"");
            });
  }

  /** A MIME user-data with one part per (type, body), 7bit, as hand-written. */
  static String mime(String... typesAndBodies) {
    StringBuilder out =
        new StringBuilder("Content-Type: multipart/mixed; boundary=\"XYZ\"\nMIME-Version: 1.0\n\n");
    for (int i = 0; i < typesAndBodies.length; i += 2) {
      out.append("--XYZ\nContent-Type: ")
          .append(typesAndBodies[i])
          .append("\n\n")
          .append(typesAndBodies[i + 1]);
    }
    return out.append("--XYZ--\n").toString();
  }

  @Test
  void mimePartsAreCheckedWithTheirLinesInTheWholeUserData() {
    String userData =
        mime(
            "text/x-shellscript",
            "#!/bin/sh\necho one\n",
            "text/cloud-config",
            "#cloud-config\nusers:\n  - name: alice\n    lock_passwd: \"no\"\n",
            "text/plain",
            "#!/bin/sh\necho typed by its content\n");
    assertThat(check(userData))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(lineOf(userData, "lock_passwd"));
              assertThat(p.message())
                  .startsWith("MIME part 2 (text/cloud-config): users[0].lock_passwd");
            });
  }

  @Test
  void mimePartsOfOtherKindsAreRefusedByNumber() {
    String userData =
        mime(
            "text/cloud-config",
            "runcmd: [ls]\n",
            "text/cloud-boothook",
            "#!/bin/sh\necho early\n",
            "text/x-shellscript",
            "echo no shebang\n",
            "application/x-unknown",
            "whatever\n");
    List<SeedProblem> problems = check(userData);
    assertThat(problems)
        .extracting(SeedProblem::message)
        .satisfiesExactly(
            m -> assertThat(m).startsWith("MIME part 2 (text/cloud-boothook) is a #cloud-boothook"),
            m -> assertThat(m).startsWith("MIME part 3 (text/x-shellscript): a script part must"),
            m -> assertThat(m).contains("part 4 (application/x-unknown)").contains("no handler"));
    assertThat(problems.get(0).line()).isEqualTo(lineOf(userData, "#!/bin/sh"));
  }

  @Test
  void mimeWithoutBoundaryIsRefused() {
    String userData = "MIME-Version: 1.0\nContent-Type: multipart/mixed\n\nhello\n";
    assertThat(check(userData))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("no boundary parameter"));
  }

  @Test
  void mimeFromCloudInitsMakeMimeIsRead() throws Exception {
    Path config = tmp.resolve("config.yaml");
    Path script = tmp.resolve("script.sh");
    String configText = "#cloud-config\npackages: [htop]\nruncmd:\n  - [sleep, 10]\n";
    Files.writeString(config, configText);
    Files.writeString(script, "#!/bin/sh\necho hi\n");
    Process p =
        new ProcessBuilder(
                Prerequisites.cloudInit().toString(),
                "devel",
                "make-mime",
                "-a",
                config + ":cloud-config",
                "-a",
                script + ":x-shellscript")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String userData = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(userData).contains("Content-Transfer-Encoding: base64");
    // The part is base64: its lines are not lines of the user-data, so the part's own line is
    // named.
    assertThat(check(userData))
        .singleElement()
        .satisfies(
            problem ->
                assertThat(problem.message())
                    .isEqualTo(
                        "MIME part 1 (text/cloud-config) line "
                            + lineOf(configText, "sleep")
                            + " of its decoded text: runcmd[0][1]: must be a string, not the"
                            + " number 10 (quote it to make it a string)"));
  }

  @Test
  void sshKeyProblemsNameUserAndKey() {
    String good =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8nuf7NHLOwEwqzC2b/aP4xItdMJAVww+FRAl75QbNx a@b";
    CloudInitConfigSpec spec =
        new CloudInitConfigSpec(
            null,
            List.of(
                new GuestUser("alice", null, List.of(good), null, null, null),
                new GuestUser(
                    "bob", null, List.of(good, "ssh-rsa " + good.split(" ")[1]), null, null, null)),
            null,
            null,
            null,
            null);
    assertThat(SeedValidator.check(spec, null, null))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.describe())
                    .isEqualTo(
                        "spec.users[1].sshAuthorizedKeys[1]: the key data says ssh-ed25519 but the"
                            + " line says ssh-rsa"));
  }

  @Test
  void problemsOfTheGeneratedCloudConfigNameTheSpecField() {
    CloudInitConfigSpec spec =
        new CloudInitConfigSpec(
            "web-1",
            List.of(
                new GuestUser("alice", null, null, true, null, null),
                new GuestUser("bob", null, null, null, null, "/bin/sh")),
            List.of("htop"),
            null,
            null,
            null);
    String rendered = NoCloudRenderer.config(spec, "ns", "cfg", Map.of()).userData();
    assertThat(SeedValidator.check(spec, rendered, null)).isEmpty();
    // What a renderer defect would produce: bob's shell as a number, an unknown key for alice.
    String broken =
        rendered
            .replaceFirst("shell: \"?/bin/sh\"?", "shell: 5")
            .replaceFirst("name: \"?alice\"?", "name: alice\n  sudoo: true")
            .replaceFirst(
                "preserve_hostname: false", "preserve_hostname: false\nntp: {enabled: 1}");
    assertThat(broken).isNotEqualTo(rendered);
    assertThat(SeedValidator.check(spec, broken, null))
        .extracting(SeedProblem::describe)
        .containsExactlyInAnyOrder(
            "spec: the generated cloud-config ntp.enabled: must be true or false, not the number 1",
            "spec.users[0]: the generated cloud-config: unknown key sudoo (did you mean sudo?)",
            "spec.users[1].shell: the generated cloud-config: must be a string, not the number 5"
                + " (quote it to make it a string)");
  }

  @Test
  void aRawMimeCarriedAsTextPlainIsCaught() {
    // The raw part of a rendered MIME user-data that cloud-init would skip (text/plain, no prefix).
    String userData =
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=inner\n\n--inner\n"
            + "Content-Type: text/cloud-config\n\n#cloud-config\nruncmd: [ls]\n--inner--\n";
    String rendered =
        mime(
            "text/cloud-config",
            "#cloud-config\npackages: [htop]\n",
            "text/plain",
            userData.stripTrailing() + "\n");
    CloudInitConfigSpec spec =
        new CloudInitConfigSpec(null, null, List.of("htop"), null, null, userData);
    List<SeedProblem> problems = SeedValidator.check(spec, rendered, null);
    assertThat(problems)
        .anySatisfy(
            p -> {
              assertThat(p.field()).isEqualTo("spec.userData");
              assertThat(p.message()).contains("text/plain part, which cloud-init would not run");
            });
  }

  @Test
  void theNetworkIsCheckedFromTheSpecWhenNoNetworkConfigWasRendered() {
    CloudInitConfigSpec spec =
        new CloudInitConfigSpec(
            null,
            null,
            null,
            null,
            new GuestNetwork(NetworkMode.STATIC, "192.168.10.5/24", "10.0.0.1", null, null),
            null);
    List<SeedProblem> problems = new ArrayList<>(SeedValidator.check(spec, null, null));
    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("spec.network.gateway");
              assertThat(p.message()).contains("outside the guest's subnet (192.168.10.5/24)");
            });
  }
}
