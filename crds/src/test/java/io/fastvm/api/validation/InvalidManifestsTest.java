package io.fastvm.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each file under {@code src/test/resources/invalid} holds one mistake and says at the top which
 * field the API server would name and a fragment of its message:
 *
 * <pre>
 * # expect: spec.firmware.secureBoot: requires firmware type uefi
 * </pre>
 *
 * A file with a {@code # update:} line holds two documents, the stored object and the update, and
 * is checked with {@link ManifestValidator#validateUpdate}.
 */
class InvalidManifestsTest {

  static final Path INVALID = ManifestFiles.TEST_RESOURCES.resolve("invalid");

  record Expectation(String field, String fragment) {}

  static Stream<Path> invalidManifests() {
    return ManifestFiles.yamlFiles(INVALID).stream();
  }

  @Test
  void thereAreInvalidManifests() {
    assertThat(ManifestFiles.yamlFiles(INVALID)).hasSizeGreaterThanOrEqualTo(50);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void isRejectedAtTheExpectedField(Path file) {
    String text = ManifestFiles.read(file);
    List<Expectation> expected = expectations(text);
    assertThat(expected).as("%s has no '# expect: field: message' line", file).isNotEmpty();
    List<JsonNode> documents = ManifestFiles.documents(file);
    boolean update = text.lines().anyMatch(l -> l.startsWith("# update:"));

    List<Violation> violations;
    if (update) {
      assertThat(documents)
          .as("an update file holds the stored object, then the update")
          .hasSize(2);
      JsonNode stored = documents.get(0);
      JsonNode changed = documents.get(1);
      // Both are fine on their own: the error must come from the transition rule.
      assertThat(ManifestFiles.VALIDATOR.validate(stored)).isEmpty();
      assertThat(ManifestFiles.VALIDATOR.validate(changed)).isEmpty();
      assertThat(ManifestFiles.VALIDATOR.validateUpdate(stored, stored)).isEmpty();
      violations = ManifestFiles.VALIDATOR.validateUpdate(changed, stored);
    } else {
      assertThat(documents).as("one mistake, one document").hasSize(1);
      violations = ManifestFiles.VALIDATOR.validate(documents.get(0));
    }

    Set<String> named =
        violations.stream()
            .map(Violation::field)
            .filter(f -> !f.isEmpty())
            .collect(Collectors.toSet());
    assertThat(named)
        .as("fields named by %s", violations)
        .containsExactlyInAnyOrderElementsOf(expected.stream().map(Expectation::field).toList());
    for (Expectation expectation : expected) {
      assertThat(violations)
          .as("violations of %s", expectation.field())
          .anySatisfy(
              v -> {
                assertThat(v.field()).isEqualTo(expectation.field());
                assertThat(v.toString()).contains(expectation.fragment());
              });
    }
  }

  /** {@code # expect: spec.memory: Required value} lines. */
  static List<Expectation> expectations(String text) {
    return text.lines()
        .filter(l -> l.startsWith("# expect: "))
        .map(l -> l.substring("# expect: ".length()))
        .map(
            l -> {
              int colon = l.indexOf(": ");
              return colon < 0
                  ? new Expectation(l.strip(), "")
                  : new Expectation(l.substring(0, colon), l.substring(colon + 2).strip());
            })
        .toList();
  }
}
