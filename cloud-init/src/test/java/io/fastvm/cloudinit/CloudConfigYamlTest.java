package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudConfigYamlTest {

  @TempDir Path tmp;

  /**
   * Plain scalars whose type YAML 1.1 (PyYAML) and YAML 1.2 or SnakeYAML's defaults disagree on.
   */
  static final String SCALARS =
      String.join(
          "\n",
          "a: yes",
          "b: Off",
          "c: y",
          "d: 0777",
          "e: 0x1F",
          "f: 1_000",
          "g: 1:30",
          "h: 52:54:00:12:34:56",
          "i: 52:54:00:ab:cd:ef",
          "j: 1e3",
          "k: 1.5e+3",
          "l: .inf",
          "m: ~",
          "n: ''",
          "o: 2030-01-01",
          "p: 2030-01-01 10:00:00",
          "q: !!binary aGVsbG8=",
          "r: '0644'",
          "s: 08",
          "t: =",
          "u:",
          "v: +12",
          "w: NULL",
          "");

  @Test
  void scalarsGetTheTypesPyYamlGivesThem() throws Exception {
    Path python = Prerequisites.require(Path.of("/usr/bin/python3"), "cloud-init (python3-yaml)");
    // "=" is PyYAML's value type, which its SafeLoader cannot construct: leave it to its own test.
    String yaml = SCALARS.replace("t: =\n", "");
    Path file = tmp.resolve("scalars.yaml");
    Files.writeString(file, yaml);
    Process p =
        new ProcessBuilder(
                python.toString(),
                "-c",
                "import sys, yaml\n"
                    + "for k, v in yaml.safe_load(open(sys.argv[1])).items():\n"
                    + "    print(k, type(v).__name__, v if isinstance(v, int) else '', sep='\\t')\n",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    Map<String, String> pyyaml = new LinkedHashMap<>();
    out.lines().forEach(l -> pyyaml.put(l.split("\t")[0], l.substring(l.indexOf('\t') + 1)));

    JsonNode ours = CloudConfigYaml.parse(yaml).root();
    Map<String, String> mine = new LinkedHashMap<>();
    ours.properties().forEach(e -> mine.put(e.getKey(), pythonType(e.getValue())));
    assertThat(mine).isEqualTo(pyyaml);
  }

  /** The Python type name PyYAML would give the value, and an int's value. */
  static String pythonType(JsonNode v) {
    if (v instanceof POJONode pojo && pojo.getPojo() instanceof CloudConfigYaml.Timestamp t) {
      return (t.text().length() == 10 ? "date" : "datetime") + "\t";
    }
    return switch (v.getNodeType()) {
      case STRING -> "str\t";
      case BINARY -> "bytes\t";
      case BOOLEAN -> "bool\t" + (v.asBoolean() ? "True" : "False");
      case NULL -> "NoneType\t";
      case NUMBER -> v.isIntegralNumber() ? "int\t" + v.bigIntegerValue() : "float\t";
      case OBJECT -> "dict\t";
      case ARRAY -> "list\t";
      default -> v.getNodeType().toString();
    };
  }

  @Test
  void theValueTypeIsRefusedAsPyYamlsSafeLoaderRefusesIt() {
    assertThatThrownBy(() -> CloudConfigYaml.parse("a: =\n"))
        .isInstanceOf(CloudConfigYaml.SyntaxError.class)
        .hasMessageContaining("tag:yaml.org,2002:value");
  }

  @Test
  void linesOfKeysAndItemsAreKept() throws Exception {
    String yaml = "#cloud-config\nusers:\n  - name: alice\n\n    shell: /bin/sh\n  - bob\n";
    CloudConfigYaml.Document doc = CloudConfigYaml.parse(yaml);
    assertThat(doc.lines())
        .containsEntry("/users", 2)
        .containsEntry("/users/0", 3)
        .containsEntry("/users/0/name", 3)
        .containsEntry("/users/0/shell", 5)
        .containsEntry("/users/1", 6);
    assertThat(doc.lineOf("/users/0/missing")).isEqualTo(3);
  }

  @Test
  void mergeKeysAndAliasesAreResolved() throws Exception {
    JsonNode root =
        CloudConfigYaml.parse(
                "base: &b {shell: /bin/sh, sudo: x}\nu:\n  <<: *b\n  sudo: y\nv: *b\n")
            .root();
    assertThat(root.path("u").toString()).isEqualTo("{\"shell\":\"/bin/sh\",\"sudo\":\"y\"}");
    assertThat(root.path("v")).isEqualTo(root.path("base"));
  }

  @Test
  void duplicateKeysAreFoundAndTheLastWins() throws Exception {
    CloudConfigYaml.Document doc = CloudConfigYaml.parse("runcmd: [a]\nx: 1\nruncmd: [b]\n");
    assertThat(doc.root().path("runcmd").toString()).isEqualTo("[\"b\"]");
    assertThat(doc.duplicates())
        .containsExactly(new CloudConfigYaml.DuplicateKey("", "runcmd", 3, 1));
  }

  @Test
  void syntaxErrorsHaveLineAndColumn() {
    assertThatThrownBy(() -> CloudConfigYaml.parse("a:\n  - x\n - y\n"))
        .isInstanceOfSatisfying(
            CloudConfigYaml.SyntaxError.class,
            e -> {
              assertThat(e.line).isEqualTo(3);
              assertThat(e.column).isEqualTo(2);
            });
    // An unclosed quote: where it opened, not the end of the text.
    assertThatThrownBy(() -> CloudConfigYaml.parse("a: 1\nb: \"open\nc: 2\n\n"))
        .isInstanceOfSatisfying(
            CloudConfigYaml.SyntaxError.class, e -> assertThat(e.line).isEqualTo(2));
    assertThatThrownBy(() -> CloudConfigYaml.parse("a: 1\n---\nb: 2\n"))
        .isInstanceOf(CloudConfigYaml.SyntaxError.class)
        .hasMessageContaining("single document");
  }
}
