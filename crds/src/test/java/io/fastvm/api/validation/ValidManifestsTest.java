package io.fastvm.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifests of the repository's top-level {@code examples/} folder (one per feature, written
 * for users) and this module's own {@code src/test/resources/valid}: every document of a fastvm
 * kind is accepted; documents of other kinds (Secret, NetworkAttachmentDefinition, ...) are skipped
 * but counted.
 */
class ValidManifestsTest {

  static final Path EXAMPLES = Path.of("..", "examples");
  static final Path VALID = ManifestFiles.TEST_RESOURCES.resolve("valid");

  static Stream<Path> examples() {
    return ManifestFiles.yamlFiles(EXAMPLES).stream();
  }

  static Stream<Path> validManifests() {
    return ManifestFiles.yamlFiles(VALID).stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void exampleIsAccepted(Path file) {
    assertEveryFastvmDocumentIsAccepted(file);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validManifests")
  void validManifestIsAccepted(Path file) {
    assertEveryFastvmDocumentIsAccepted(file);
  }

  @Test
  void examplesHoldFastvmManifests() {
    Count count = count(ManifestFiles.yamlFiles(EXAMPLES));
    System.out.printf(
        "examples: %d fastvm documents validated, %d of other kinds skipped%n",
        count.fastvm(), count.other());
    assertThat(count.fastvm())
        .as(
            "fastvm documents under %s (%d of other kinds skipped)",
            EXAMPLES.toAbsolutePath().normalize(), count.other())
        .isPositive();
  }

  @Test
  void validManifestsCoverEveryKindAndSkipOtherKinds() {
    List<JsonNode> documents = new ArrayList<>();
    ManifestFiles.yamlFiles(VALID).forEach(f -> documents.addAll(ManifestFiles.documents(f)));
    assertThat(
            documents.stream()
                .filter(ManifestFiles.VALIDATOR::knows)
                .map(d -> d.path("kind").asText()))
        .contains("VirtualMachine", "Volume", "Snapshot", "CloudInitConfig");
    // The Secret beside the cloud-init example is not ours: validate() would call it an unknown
    // kind.
    JsonNode secret =
        documents.stream()
            .filter(d -> d.path("kind").asText().equals("Secret"))
            .findFirst()
            .orElseThrow();
    assertThat(ManifestFiles.VALIDATOR.knows(secret)).isFalse();
    assertThat(ManifestFiles.VALIDATOR.validate(secret))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.toString())
                    .contains("no matches for kind \"Secret\" in version \"v1\""));
  }

  record Count(int fastvm, int other) {}

  static Count count(List<Path> files) {
    int fastvm = 0;
    int other = 0;
    for (Path file : files) {
      for (JsonNode document : ManifestFiles.documents(file)) {
        if (ManifestFiles.VALIDATOR.knows(document)) {
          fastvm++;
        } else {
          other++;
        }
      }
    }
    return new Count(fastvm, other);
  }

  static void assertEveryFastvmDocumentIsAccepted(Path file) {
    List<ManifestReport> reports = ManifestFiles.VALIDATOR.validateYaml(ManifestFiles.read(file));
    assertThat(reports).as("documents in %s", file).isNotEmpty();
    for (ManifestReport report : reports) {
      if (report.manifest().isMissingNode() || ManifestFiles.VALIDATOR.knows(report.manifest())) {
        assertThat(report.violations())
            .as("%s #%d %s %s", file, report.index(), report.kind(), report.name())
            .isEmpty();
      }
    }
  }
}
