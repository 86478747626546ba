package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.common.values.NullValue;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The CEL types the API server declares for the nodes of a structural schema (an object with
 * properties is a struct whose fields are its properties, a map is {@code map(string, T)}, int-or-
 * string and preserved unknown fields are {@code dyn}), so that rules are type-checked as strictly
 * as by the API server; and the conversion of JSON values to CEL values of those types.
 */
final class CelSchemaTypes implements CelTypeProvider {

  /** CEL keywords; properties so named are reachable as {@code __name__}. */
  private static final Set<String> RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final Map<JSONSchemaProps, CelType> types = new IdentityHashMap<>();
  private final Map<String, CelType> structs = new LinkedHashMap<>();
  private final JSONSchemaProps root;

  CelSchemaTypes(JSONSchemaProps root, String kind) {
    this.root = root;
    declare(root, kind, true);
  }

  /** The type of values of this schema node (which must belong to this schema). */
  CelType typeOf(JSONSchemaProps schema) {
    return types.getOrDefault(schema, SimpleType.DYN);
  }

  @Override
  public ImmutableCollection<CelType> types() {
    return ImmutableList.copyOf(structs.values());
  }

  @Override
  public Optional<CelType> findType(String typeName) {
    return Optional.ofNullable(structs.get(typeName));
  }

  private CelType declare(JSONSchemaProps schema, String name, boolean resource) {
    CelType type =
        Schemas.isIntOrString(schema) ? SimpleType.DYN : declareTyped(schema, name, resource);
    types.put(schema, type);
    return type;
  }

  private CelType declareTyped(JSONSchemaProps schema, String name, boolean resource) {
    return switch (String.valueOf(schema.getType())) {
      case "object" -> declareObject(schema, name, resource);
      case "array" ->
          ListType.create(
              Schemas.items(schema)
                  .map(i -> declare(i, name + ".@items", false))
                  .orElse(SimpleType.DYN));
      case "string" -> SimpleType.STRING;
      case "integer" -> SimpleType.INT;
      case "number" -> SimpleType.DOUBLE;
      case "boolean" -> SimpleType.BOOL;
      default -> SimpleType.DYN;
    };
  }

  private CelType declareObject(JSONSchemaProps schema, String name, boolean resource) {
    Optional<JSONSchemaProps> values = Schemas.additionalProperties(schema);
    if (values.isPresent()) {
      return MapType.create(SimpleType.STRING, declare(values.get(), name + ".@values", false));
    }
    if (Schemas.properties(schema).isEmpty()
        && Schemas.preservesUnknownFields(schema)
        && !resource) {
      return SimpleType.DYN;
    }
    ImmutableMap.Builder<String, CelType> fields = ImmutableMap.builder();
    Schemas.properties(schema)
        .forEach(
            (property, child) ->
                escape(property)
                    .ifPresent(
                        field -> fields.put(field, declare(child, name + "." + property, false))));
    if (resource || Schemas.isEmbeddedResource(schema)) {
      // Rules at the root (or of an embedded object) see its type and name, not the rest of
      // metadata.
      fields.put("apiVersion", SimpleType.STRING);
      fields.put("kind", SimpleType.STRING);
      fields.put("metadata", metadataType(name));
    }
    return struct(name, fields.buildKeepingLast());
  }

  private CelType metadataType(String name) {
    return struct(
        name + ".metadata",
        ImmutableMap.of("name", SimpleType.STRING, "generateName", SimpleType.STRING));
  }

  private CelType struct(String name, ImmutableMap<String, CelType> fields) {
    StructType type =
        StructType.create(
            name, ImmutableSet.copyOf(fields.keySet()), f -> Optional.ofNullable(fields.get(f)));
    structs.put(name, type);
    return type;
  }

  /** The CEL value of a JSON value of the root schema. */
  Object rootValue(JsonNode node) {
    return value(node, root, true);
  }

  /** The CEL value of a JSON value of this schema node. */
  Object value(JsonNode node, JSONSchemaProps schema) {
    return value(node, schema, schema == root);
  }

  private Object value(JsonNode node, JSONSchemaProps schema, boolean resource) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      Optional<JSONSchemaProps> values = Schemas.additionalProperties(schema);
      node.properties()
          .forEach(
              e -> {
                JSONSchemaProps declared = Schemas.properties(schema).get(e.getKey());
                if (values.isPresent()) {
                  map.put(e.getKey(), value(e.getValue(), values.get(), false));
                } else if (declared != null) {
                  escape(e.getKey())
                      .ifPresent(f -> map.put(f, value(e.getValue(), declared, false)));
                } else if (resource && Schemas.TYPE_META.contains(e.getKey())) {
                  map.put(e.getKey(), typeMeta(e.getKey(), e.getValue()));
                } else if (Schemas.preservesUnknownFields(schema)) {
                  map.put(e.getKey(), value(e.getValue(), new JSONSchemaProps(), false));
                }
              });
      return map;
    }
    if (node.isArray()) {
      JSONSchemaProps items = Schemas.items(schema).orElseGet(JSONSchemaProps::new);
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(value(item, items, false)));
      return list;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber() && !"number".equals(schema.getType())) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    return node.asText();
  }

  private static Object typeMeta(String key, JsonNode value) {
    if (!key.equals("metadata")) {
      return value.asText();
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    for (String field : List.of("name", "generateName")) {
      if (value.path(field).isTextual()) {
        metadata.put(field, value.get(field).textValue());
      }
    }
    return metadata;
  }

  /**
   * A property name as a CEL field name, escaped as the API server does ({@code x-y} is {@code
   * x__dash__y}); empty when the property cannot be reached from CEL.
   */
  static Optional<String> escape(String property) {
    if (RESERVED.contains(property)) {
      return Optional.of("__" + property + "__");
    }
    String escaped =
        property
            .replace("__", "__underscores__")
            .replace(".", "__dot__")
            .replace("-", "__dash__")
            .replace("/", "__slash__");
    return IDENTIFIER.matcher(escaped).matches() ? Optional.of(escaped) : Optional.empty();
  }
}
