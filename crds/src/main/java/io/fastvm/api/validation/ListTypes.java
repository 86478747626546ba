package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The API server's check of associative lists: items of an {@code x-kubernetes-list-type: map} list
 * are unique by their {@code x-kubernetes-list-map-keys}, items of a {@code set} are unique. Runs
 * after defaulting, since keys may have defaults.
 */
final class ListTypes {
  private ListTypes() {}

  static void validate(JsonNode node, JSONSchemaProps schema, String path, List<Violation> out) {
    if (node instanceof ArrayNode array) {
      checkUnique(array, schema, path, out);
      Schemas.items(schema)
          .ifPresent(
              items -> {
                for (int i = 0; i < array.size(); i++) {
                  validate(array.get(i), items, FieldPaths.index(path, i), out);
                }
              });
    } else if (node instanceof ObjectNode object) {
      for (String key : Schemas.fieldNames(object)) {
        Schemas.property(schema, key)
            .ifPresent(s -> validate(object.get(key), s, FieldPaths.child(path, key), out));
      }
    }
  }

  private static void checkUnique(
      ArrayNode array, JSONSchemaProps schema, String path, List<Violation> out) {
    String listType = schema.getXKubernetesListType();
    if (!"map".equals(listType) && !"set".equals(listType)) {
      return;
    }
    List<String> keys = schema.getXKubernetesListMapKeys();
    Set<JsonNode> seen = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode identity = "map".equals(listType) ? keyOf(array.get(i), keys) : array.get(i);
      if (!seen.add(identity)) {
        out.add(Violation.duplicate(FieldPaths.index(path, i), identity, ""));
      }
    }
  }

  /** The item's key fields, as an object, e.g. {@code {"name":"root"}}. */
  private static JsonNode keyOf(JsonNode item, List<String> keys) {
    ObjectNode key = JsonNodeFactory.instance.objectNode();
    for (String field : keys) {
      key.set(field, item.path(field));
    }
    return key;
  }
}
