package io.fastvm.node.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Checks manifests against the CRD schema and its CEL rules before anything starts. The real
 * validator lives in {@code io.fastvm.api.validation}; {@code fastvm run} plugs it in here. The
 * launcher in a pod uses {@link #NONE}: the API server already validated what the operator mounts.
 */
@FunctionalInterface
public interface ManifestValidator {

  /**
   * Returns one message per problem (empty when valid).
   *
   * @param document one YAML document, as parsed
   * @param source where it came from, for messages (file name and document index)
   */
  List<String> validate(JsonNode document, String source);

  ManifestValidator NONE = (document, source) -> List.of();
}
