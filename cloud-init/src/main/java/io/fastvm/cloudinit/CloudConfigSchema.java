package io.fastvm.cloudinit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.POJONode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * cloud-init's published cloud-config schema (draft-04, bundled at build time from Debian's
 * cloud-init package), checked with networknt's json-schema-validator, its errors turned into one
 * message per mistake.
 *
 * <p>cloud-init 22.4 validates with Python's jsonschema, where its {@code deprecated} keyword only
 * warns: here it is an annotation, so deprecations pass too. Formats: Debian's cloud-init checks
 * {@code date} only (its jsonschema lacks the optional packages for {@code hostname} and {@code
 * uri}); here all three are checked, so a mistyped apt mirror, phone_home URL or NTP server is
 * found before boot.
 */
final class CloudConfigSchema {
  private CloudConfigSchema() {}

  /**
   * One schema error, explained.
   *
   * @param pointer JSON pointer of the node the error is about
   * @param path the same as a reader writes it: {@code users[0].lock_passwd}
   * @param key the key the message is about (unknown, missing), or null
   */
  record Violation(String pointer, String path, String key, String message) {}

  static final String RESOURCE = "schema-cloud-config-v1.json";

  /** Loaded once: reading and compiling the 130 kB schema takes a few hundred milliseconds. */
  private static final class Holder {
    static final JsonNode ROOT = read();

    /**
     * Draft-04, knowing the schema's other keywords as annotations: cloud-init's own {@code
     * deprecated}, {@code label} and {@code hidden} (documentation), and {@code $defs} and {@code
     * prefixItems}, which are no draft-04 keywords, so Python's Draft4Validator ignores them as
     * well ({@code $ref}s into {@code $defs} still resolve: they are JSON pointers).
     */
    static final Dialect DIALECT =
        Dialect.builder(Dialects.getDraft4())
            .keywords(
                Stream.of("$defs", "prefixItems", "deprecated", "label", "hidden")
                    .map(NonValidationKeyword::new)
                    .toList())
            .build();

    static final Schema SCHEMA =
        SchemaRegistry.withDialect(
                DIALECT,
                b ->
                    b.schemaRegistryConfig(
                        SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()))
            .getSchema(ROOT);

    private static JsonNode read() {
      try (InputStream in = CloudConfigSchema.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              RESOURCE
                  + " is not on the classpath: the cloud-init module's build copies it from"
                  + " Debian's cloud-init package (dev/install-deps)");
        }
        return new ObjectMapper().readTree(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Every violation of the schema by a cloud-config (a YAML mapping read to JSON). */
  static List<Violation> check(JsonNode config) {
    List<Error> errors = Holder.SCHEMA.validate(config);
    return explain(errors).stream()
        .sorted(Comparator.comparing(Violation::pointer))
        .distinct()
        .toList();
  }

  /**
   * One message per mistake: of a oneOf or anyOf that no alternative matches, only the errors of
   * the alternatives whose declared type fits the value are kept (a mapping under {@code users} was
   * meant as a user, not as a string), and when none fits, one message lists the types allowed.
   */
  private static List<Violation> explain(List<Error> errors) {
    // By instance location, so that the errors under a composite's value are found without
    // scanning all of them for each composite (a large user-data can have thousands).
    NavigableMap<String, List<Error>> byInstance = new TreeMap<>();
    errors.forEach(e -> byInstance.computeIfAbsent(location(e), k -> new ArrayList<>()).add(e));
    Set<Error> dropped = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Violation> out = new ArrayList<>();
    List<Error> composites =
        errors.stream()
            .filter(CloudConfigSchema::noAlternativeMatched)
            .sorted(Comparator.comparingInt(e -> e.getEvaluationPath().getNameCount()))
            .toList();
    for (Error composite : composites) {
      if (!dropped.add(composite)) {
        continue; // inside an alternative already set aside
      }
      JsonNode alternatives = composite.getSchemaNode();
      String type = jsonType(composite.getInstanceNode());
      Set<Integer> fitting = new LinkedHashSet<>();
      for (int i = 0; i < alternatives.size(); i++) {
        List<String> declared = declaredTypes(alternatives.get(i));
        if (declared.isEmpty() || declared.stream().anyMatch(t -> fits(type, t))) {
          fitting.add(i);
        }
      }
      String at = location(composite);
      List<Error> under = new ArrayList<>(byInstance.getOrDefault(at, List.of()));
      byInstance.subMap(at + "/", true, at + "/\uffff", true).values().forEach(under::addAll);
      List<Error> kept = new ArrayList<>();
      for (Error e : under) {
        for (int i = 0; i < alternatives.size(); i++) {
          if (!dropped.contains(e) && within(e, composite, i)) {
            dropped.add(e);
            if (fitting.contains(i)) {
              kept.add(e);
            }
          }
        }
      }
      if (kept.isEmpty()) {
        out.add(
            violation(
                composite,
                null,
                mustBe(alternativesTypes(alternatives), composite.getInstanceNode())));
      } else if (kept.size() > 1 && kept.stream().allMatch(e -> isAt(e, composite, "enum"))) {
        Set<String> allowed = new LinkedHashSet<>();
        kept.forEach(e -> e.getSchemaNode().forEach(v -> allowed.add(v.toString())));
        out.add(
            violation(
                composite,
                null,
                "must be one of "
                    + String.join(", ", allowed)
                    + ", not "
                    + describe(composite.getInstanceNode())));
      } else if (kept.size() > 1 && kept.stream().allMatch(e -> isAt(e, composite, "required"))) {
        out.add(
            violation(
                composite,
                null,
                "needs one of the keys "
                    + kept.stream().map(Error::getProperty).collect(Collectors.joining(" or "))));
      } else {
        kept.forEach(dropped::remove); // reported on their own (or by an inner composite)
      }
    }
    for (Error e : errors) {
      if (!dropped.contains(e)) {
        out.add(violation(e, e.getProperty(), message(e)));
      }
    }
    return out;
  }

  private static String location(Error e) {
    return e.getInstanceLocation().toString();
  }

  private static boolean noAlternativeMatched(Error e) {
    return switch (e.getKeyword()) {
      case "anyOf" -> true;
      case "oneOf" ->
          e.getArguments().length > 0 && "0".equals(String.valueOf(e.getArguments()[0]));
      default -> false;
    };
  }

  /** Whether {@code e} comes from alternative {@code i} of {@code composite}, for its value. */
  private static boolean within(Error e, Error composite, int i) {
    String alternative = composite.getEvaluationPath() + "/" + i;
    String eval = e.getEvaluationPath().toString();
    String at = location(composite);
    String instance = location(e);
    return (eval.equals(alternative) || eval.startsWith(alternative + "/"))
        && (instance.equals(at) || instance.startsWith(at.endsWith("/") ? at : at + "/"));
  }

  private static boolean isAt(Error e, Error composite, String keyword) {
    return e.getKeyword().equals(keyword) && location(e).equals(location(composite));
  }

  private static Violation violation(Error e, String key, String message) {
    return new Violation(
        pointer(e.getInstanceLocation()), path(e.getInstanceLocation()), key, message);
  }

  private static String message(Error e) {
    JsonNode value = e.getInstanceNode();
    JsonNode limit = e.getSchemaNode();
    return switch (e.getKeyword()) {
      case "type" -> mustBe(typesOf(limit), value);
      case "enum" ->
          "must be one of "
              + StreamSupport.stream(limit.spliterator(), false)
                  .map(JsonNode::toString)
                  .collect(Collectors.joining(", "))
              + ", not "
              + describe(value);
      case "required" -> "missing the required key " + e.getProperty();
      case "additionalProperties" -> unknownKey(e);
      case "format" ->
          "is not a valid "
              + limit.asText()
              + (limit.asText().equals("date") ? " (YYYY-MM-DD)" : "")
              + ": "
              + describe(value);
      case "minItems" ->
          limit.asInt() == 1
              ? "must not be an empty list"
              : "must have at least " + limit.asInt() + " items";
      case "minProperties" -> "must not be an empty mapping";
      case "oneOf" -> "matches more than one of the forms allowed here (" + e.getMessage() + ")";
      default -> e.getMessage();
    };
  }

  /** "must be a string, not the number 644 (quote it to make it a string)" */
  private static String mustBe(List<String> types, JsonNode value) {
    if (types.isEmpty()) {
      return "matches none of the forms allowed here: " + describe(value);
    }
    String type = jsonType(value);
    boolean quotable =
        types.contains("string")
            && !types.contains(type)
            && !List.of("object", "array").contains(type);
    return "must be "
        + types.stream().map(CloudConfigSchema::typeName).collect(Collectors.joining(" or "))
        + ", not "
        + describe(value)
        + (quotable ? " (quote it to make it a string)" : "");
  }

  /** "unknown key ssh_authorised_keys (did you mean ssh_authorized_keys?)" */
  private static String unknownKey(Error e) {
    String key = e.getProperty();
    String at = e.getSchemaLocation().getFragment().toString();
    JsonNode parent = Holder.ROOT.at(at.substring(0, at.lastIndexOf('/')));
    List<String> known = new ArrayList<>();
    parent.path("properties").fieldNames().forEachRemaining(known::add);
    String closest = null;
    int best = Integer.MAX_VALUE;
    for (String k : known) {
      int d =
          distance(key.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
      if (d < best) {
        best = d;
        closest = k;
      }
    }
    if (closest != null && best <= Math.max(2, key.length() / 4)) {
      return "unknown key " + key + " (did you mean " + closest + "?)";
    }
    return "unknown key " + key + (known.isEmpty() ? "" : "; allowed: " + String.join(", ", known));
  }

  /** Levenshtein distance, for "did you mean". */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static List<String> declaredTypes(JsonNode schema) {
    JsonNode type = schema.path("type");
    if (type.isTextual()) {
      return List.of(type.asText());
    }
    List<String> types = new ArrayList<>();
    type.forEach(t -> types.add(t.asText()));
    return types;
  }

  private static boolean fits(String valueType, String schemaType) {
    return valueType.equals(schemaType)
        || valueType.equals("integer") && schemaType.equals("number");
  }

  private static List<String> alternativesTypes(JsonNode alternatives) {
    Set<String> types = new LinkedHashSet<>();
    alternatives.forEach(a -> types.addAll(declaredTypes(a)));
    return List.copyOf(types);
  }

  private static List<String> typesOf(JsonNode type) {
    List<String> names = new ArrayList<>();
    if (type.isArray()) {
      type.forEach(t -> names.add(t.asText()));
    } else {
      names.add(type.asText());
    }
    return names;
  }

  private static String typeName(String type) {
    return switch (type) {
      case "string" -> "a string";
      case "boolean" -> "true or false";
      case "integer" -> "an integer";
      case "number" -> "a number";
      case "array" -> "a list";
      case "object" -> "a mapping";
      case "null" -> "empty (null)";
      default -> type;
    };
  }

  /** The JSON type networknt gives a value; a YAML date is none. */
  private static String jsonType(JsonNode value) {
    return switch (value.getNodeType()) {
      case OBJECT -> "object";
      case ARRAY -> "array";
      case STRING, BINARY -> "string";
      case BOOLEAN -> "boolean";
      case NULL, MISSING -> "null";
      case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
      default -> "unknown";
    };
  }

  /** The value as a message shows it. */
  static String describe(JsonNode value) {
    if (value instanceof POJONode pojo && pojo.getPojo() instanceof CloudConfigYaml.Timestamp t) {
      return "the YAML date " + t.text();
    }
    return switch (value.getNodeType()) {
      case STRING -> {
        String text = value.asText();
        yield "the string \"" + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "\"";
      }
      case BINARY -> "binary data";
      case NUMBER -> "the number " + value.asText();
      case BOOLEAN -> value.asText();
      case NULL, MISSING -> "empty (null)";
      case ARRAY -> "a list";
      case OBJECT -> "a mapping";
      default -> value.toString();
    };
  }

  static String pointer(NodePath location) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      out.append('/').append(CloudConfigYaml.escape(String.valueOf(location.getElement(i))));
    }
    return out.toString();
  }

  static String path(NodePath location) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        out.append('[').append(index).append(']');
      } else {
        out.append(out.isEmpty() ? "" : ".").append(element);
      }
    }
    return out.toString();
  }
}
