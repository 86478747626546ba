package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.Map;

/**
 * Structural defaulting as the API server does it on every request, before validation: a {@code
 * null} in a field that is not nullable is dropped, then every absent field with a {@code default}
 * gets a copy of it, recursively (also inside defaults just applied). Validation rules rely on it:
 * {@code !self.secureBoot || ...} assumes {@code secureBoot} is always there.
 */
final class Defaulter {
  private Defaulter() {}

  /** Applies defaults in place. */
  static void apply(JsonNode node, JSONSchemaProps schema) {
    if (node instanceof ObjectNode object) {
      for (String key : Schemas.fieldNames(object)) {
        JsonNode value = object.get(key);
        Schemas.property(schema, key)
            .filter(s -> value.isNull() && !Schemas.isNullable(s))
            .ifPresent(s -> object.remove(key));
      }
      for (Map.Entry<String, JSONSchemaProps> property : Schemas.properties(schema).entrySet()) {
        JsonNode defaultValue = property.getValue().getDefault();
        if (defaultValue != null && !object.has(property.getKey())) {
          object.set(property.getKey(), defaultValue.deepCopy());
        }
      }
      for (String key : Schemas.fieldNames(object)) {
        Schemas.property(schema, key).ifPresent(s -> apply(object.get(key), s));
      }
    } else if (node instanceof ArrayNode array) {
      Schemas.items(schema).ifPresent(items -> array.forEach(item -> apply(item, items)));
    }
  }
}
