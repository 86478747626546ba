package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.NodePath;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAPI v3 schema validation of a custom resource with networknt's json-schema-validator (OpenAPI
 * 3.0 dialect, which knows {@code nullable}), its errors turned into the API server's field errors.
 */
final class OpenApiSchemaValidator {

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDialect(Dialects.getOpenApi30());

  private final Schema schema;

  OpenApiSchemaValidator(JSONSchemaProps openApiV3Schema) {
    JsonNode node = Serialization.jsonMapper().valueToTree(openApiV3Schema);
    this.schema = REGISTRY.getSchema(forValidation(node));
  }

  void validate(JsonNode object, List<Violation> out) {
    List<Error> errors = schema.validate(object);
    // Kubernetes' string validator stops at its first failed check (maxLength, minLength,
    // pattern, in that order): a too-long name is not also reported as a pattern mismatch.
    Map<String, Integer> firstStringCheck = new HashMap<>();
    for (Error error : errors) {
      int rank = STRING_CHECKS.indexOf(error.getKeyword());
      if (rank >= 0) {
        firstStringCheck.merge(error.getInstanceLocation().toString(), rank, Math::min);
      }
    }
    for (Error error : errors) {
      int rank = STRING_CHECKS.indexOf(error.getKeyword());
      if (rank < 0 || firstStringCheck.get(error.getInstanceLocation().toString()) == rank) {
        out.add(toViolation(error));
      }
    }
  }

  private static final List<String> STRING_CHECKS = List.of("maxLength", "minLength", "pattern");

  /**
   * The schema as the API server hands it to its validator: Kubernetes extensions dropped (the
   * validator would warn about unknown keywords; other steps handle them), int-or-string as the
   * type union {@code [integer, string]}.
   */
  private static JsonNode forValidation(JsonNode node) {
    if (node instanceof ObjectNode object) {
      ObjectNode copy = object.objectNode();
      object
          .properties()
          .forEach(
              e -> {
                if (!e.getKey().startsWith("x-kubernetes-")) {
                  copy.set(e.getKey(), keywordValue(e.getKey(), e.getValue()));
                }
              });
      if (object.path("x-kubernetes-int-or-string").asBoolean() && !object.has("type")) {
        copy.set("type", copy.arrayNode().add("integer").add("string"));
      }
      return copy;
    }
    return node;
  }

  /** Recurses into sub-schemas only, never into literal values such as defaults and enums. */
  private static JsonNode keywordValue(String keyword, JsonNode value) {
    return switch (keyword) {
      case "properties", "patternProperties", "definitions" -> {
        ObjectNode map = ((ObjectNode) value).objectNode();
        value.properties().forEach(e -> map.set(e.getKey(), forValidation(e.getValue())));
        yield map;
      }
      case "items", "additionalProperties", "additionalItems", "not" ->
          value.isObject() ? forValidation(value) : value;
      case "allOf", "anyOf", "oneOf" -> {
        ArrayNode list = ((ArrayNode) value).arrayNode();
        value.forEach(s -> list.add(forValidation(s)));
        yield list;
      }
      default -> value;
    };
  }

  private static Violation toViolation(Error error) {
    String path = fieldPath(error.getInstanceLocation());
    JsonNode value = error.getInstanceNode();
    JsonNode limit = error.getSchemaNode();
    String inBody = path + " in body";
    return switch (error.getKeyword()) {
      case "required" -> Violation.required(FieldPaths.child(path, error.getProperty()), "");
      case "type" ->
          Violation.typeInvalid(
              path,
              value,
              inBody
                  + " must be of type "
                  + expectedType(limit)
                  + ": "
                  + Violation.render(jsonType(value)));
      case "enum" -> Violation.notSupported(path, value, Schemas.texts(limit));
      case "pattern" ->
          Violation.invalid(path, value, inBody + " should match '" + limit.asText() + "'");
      case "minimum" ->
          Violation.invalid(
              path, value, inBody + " should be greater than or equal to " + number(limit));
      case "maximum" ->
          Violation.invalid(
              path, value, inBody + " should be less than or equal to " + number(limit));
      case "exclusiveMinimum" ->
          Violation.invalid(path, value, inBody + " should be greater than " + number(limit));
      case "exclusiveMaximum" ->
          Violation.invalid(path, value, inBody + " should be less than " + number(limit));
      case "maxLength" -> Violation.tooLong(path, limit.asInt());
      case "minLength" ->
          Violation.invalid(
              path, value, inBody + " should be at least " + limit.asInt() + " chars long");
      case "maxItems" -> Violation.tooMany(path, value.size(), limit.asInt());
      case "minItems" ->
          Violation.invalid(
              path, value, inBody + " should have at least " + limit.asInt() + " items");
      default -> Violation.invalid(path, value, error.getMessage());
    };
  }

  /** {@code $.spec.disks[0].name} (networknt's node path) as {@code spec.disks[0].name}. */
  static String fieldPath(NodePath location) {
    String path = "";
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      path =
          element instanceof Integer index
              ? FieldPaths.index(path, index)
              : FieldPaths.child(path, element.toString());
    }
    return path;
  }

  private static String expectedType(JsonNode type) {
    return type.isArray() ? String.join(",", Schemas.texts(type)) : type.asText();
  }

  private static String jsonType(JsonNode value) {
    return switch (value.getNodeType()) {
      case OBJECT -> "object";
      case ARRAY -> "array";
      case STRING -> "string";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
      default -> value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** {@code 1.0} in the schema reads {@code 1}, as Go prints a float64. */
  private static String number(JsonNode limit) {
    return new BigDecimal(limit.asText()).stripTrailingZeros().toPlainString();
  }
}
