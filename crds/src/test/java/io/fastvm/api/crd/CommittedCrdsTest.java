package io.fastvm.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The CRDs under crds/manifests are exactly what the Java model generates. */
class CommittedCrdsTest {

  static final Path MANIFESTS = Path.of("manifests");

  @Test
  void committedCrdsMatchTheModel() throws IOException {
    Map<String, String> generated = CrdManifests.generate();
    Map<String, String> committed = new TreeMap<>();
    try (Stream<Path> files = Files.list(MANIFESTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        committed.put(file.getFileName().toString(), Files.readString(file));
      }
    }
    assertThat(committed.keySet())
        .as(
            "CRD files in crds/manifests (regenerate: ./mvnw -pl crds process-test-classes -Pupdate-crds)")
        .containsExactlyElementsOf(generated.keySet());
    generated.forEach(
        (name, yaml) ->
            assertThat(committed.get(name))
                .as(
                    "crds/manifests/%s differs from the model; regenerate with ./mvnw -pl crds"
                        + " process-test-classes -Pupdate-crds",
                    name)
                .isEqualTo(yaml));
  }
}
