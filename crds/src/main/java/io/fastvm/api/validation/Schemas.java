package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Navigation in a structural schema, shared by the steps that walk an object with it. */
final class Schemas {
  private Schemas() {}

  /** Fields every object has at the root (and in embedded resources), whatever the schema says. */
  static final Set<String> TYPE_META = Set.of("apiVersion", "kind", "metadata");

  static Map<String, JSONSchemaProps> properties(JSONSchemaProps schema) {
    return schema.getProperties() == null ? Map.of() : schema.getProperties();
  }

  /** The schema of a map's values ({@code additionalProperties}), if the object is a map. */
  static Optional<JSONSchemaProps> additionalProperties(JSONSchemaProps schema) {
    return Optional.ofNullable(schema.getAdditionalProperties()).map(a -> a.getSchema());
  }

  /** The schema of {@code key} in an object of this schema, if the schema knows the key. */
  static Optional<JSONSchemaProps> property(JSONSchemaProps schema, String key) {
    JSONSchemaProps declared = properties(schema).get(key);
    return declared != null ? Optional.of(declared) : additionalProperties(schema);
  }

  static Optional<JSONSchemaProps> items(JSONSchemaProps schema) {
    return Optional.ofNullable(schema.getItems()).map(i -> i.getSchema());
  }

  static boolean preservesUnknownFields(JSONSchemaProps schema) {
    return Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields());
  }

  static boolean isIntOrString(JSONSchemaProps schema) {
    return Boolean.TRUE.equals(schema.getXKubernetesIntOrString());
  }

  static boolean isEmbeddedResource(JSONSchemaProps schema) {
    return Boolean.TRUE.equals(schema.getXKubernetesEmbeddedResource());
  }

  static boolean isNullable(JSONSchemaProps schema) {
    return Boolean.TRUE.equals(schema.getNullable());
  }

  static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(v -> texts.add(v.asText()));
    return texts;
  }

  /** A copy of an object's field names, so that the object may change while they are walked. */
  static List<String> fieldNames(ObjectNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
