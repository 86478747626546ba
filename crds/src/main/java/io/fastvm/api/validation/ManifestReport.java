package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The result for one YAML document of a file.
 *
 * @param index position of the document in the file, from 0
 * @param manifest the document as parsed (a missing node when it did not parse)
 * @param violations what the API server would reject it for; empty when it would accept it
 */
public record ManifestReport(int index, JsonNode manifest, List<Violation> violations) {

  public ManifestReport {
    violations = List.copyOf(violations);
  }

  public boolean valid() {
    return violations.isEmpty();
  }

  public String apiVersion() {
    return manifest.path("apiVersion").asText("");
  }

  public String kind() {
    return manifest.path("kind").asText("");
  }

  public String name() {
    return manifest.path("metadata").path("name").asText("");
  }
}
