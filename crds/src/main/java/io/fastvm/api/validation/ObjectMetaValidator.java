package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The checks the API server makes on {@code metadata} of a namespaced custom resource: a name (or
 * generateName) that is a DNS subdomain, a namespace that is a DNS label, well-formed labels and
 * annotations. Messages are the API server's.
 */
final class ObjectMetaValidator {
  private ObjectMetaValidator() {}

  private static final String DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String DNS1123_SUBDOMAIN = DNS1123_LABEL + "(\\." + DNS1123_LABEL + ")*";
  private static final String QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final String LABEL_VALUE = "(" + QUALIFIED_NAME + ")?";
  private static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;

  private static final String SUBDOMAIN_MESSAGE =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
          + " '.', and must start and end with an alphanumeric character (e.g. 'example.com',"
          + " regex used for validation is '"
          + DNS1123_SUBDOMAIN
          + "')";
  private static final String LABEL_MESSAGE =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and"
          + " must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc',"
          + " regex used for validation is '"
          + DNS1123_LABEL
          + "')";
  private static final String QUALIFIED_NAME_MESSAGE =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end"
          + " with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex"
          + " used for validation is '"
          + QUALIFIED_NAME
          + "')";
  private static final String LABEL_VALUE_MESSAGE =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or"
          + " '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or"
          + " 'my_value',  or '12345', regex used for validation is '"
          + LABEL_VALUE
          + "')";

  static void validate(JsonNode metadata, List<Violation> out) {
    String name = text(metadata, "name", out);
    String generateName = text(metadata, "generateName", out);
    if (!name.isEmpty()) {
      subdomain("metadata.name", name, out);
    } else if (!generateName.isEmpty()) {
      // The server appends a random suffix, so a trailing dash is fine.
      subdomain("metadata.generateName", generateName.replaceAll("-$", "a"), out);
    } else {
      out.add(Violation.required("metadata.name", "name or generateName is required"));
    }
    String namespace = text(metadata, "namespace", out);
    if (!namespace.isEmpty()) {
      check("metadata.namespace", namespace, DNS1123_LABEL, 63, LABEL_MESSAGE, out);
    }
    stringMap(metadata, "labels", out)
        .forEach(
            (key, value) -> {
              qualifiedName("metadata.labels", key, out);
              check("metadata.labels", value, LABEL_VALUE, 63, LABEL_VALUE_MESSAGE, out);
            });
    Map<String, String> annotations = stringMap(metadata, "annotations", out);
    annotations.keySet().forEach(key -> qualifiedName("metadata.annotations", key, out));
    long size =
        annotations.entrySet().stream()
            .mapToLong(e -> bytes(e.getKey()) + bytes(e.getValue()))
            .sum();
    if (size > ANNOTATIONS_MAX_BYTES) {
      out.add(Violation.tooLong("metadata.annotations", ANNOTATIONS_MAX_BYTES));
    }
  }

  private static void subdomain(String path, String value, List<Violation> out) {
    check(path, value, DNS1123_SUBDOMAIN, 253, SUBDOMAIN_MESSAGE, out);
  }

  /** A label or annotation key: an optional DNS subdomain prefix and a slash, then a name. */
  private static void qualifiedName(String path, String key, List<Violation> out) {
    int slash = key.indexOf('/');
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty()) {
        out.add(Violation.invalid(path, key, "prefix part must be non-empty"));
      } else if (prefix.length() > 253 || !Pattern.matches(DNS1123_SUBDOMAIN, prefix)) {
        out.add(Violation.invalid(path, key, "prefix part " + SUBDOMAIN_MESSAGE));
      }
    }
    String name = key.substring(slash + 1);
    if (name.isEmpty()) {
      out.add(Violation.invalid(path, key, "name part must be non-empty"));
    } else {
      check(path, name, QUALIFIED_NAME, 63, QUALIFIED_NAME_MESSAGE, out);
    }
  }

  private static void check(
      String path, String value, String regex, int max, String message, List<Violation> out) {
    if (value.length() > max) {
      out.add(Violation.invalid(path, value, "must be no more than " + max + " characters"));
    }
    if (!Pattern.matches(regex, value)) {
      out.add(Violation.invalid(path, value, message));
    }
  }

  /** A string field, "" when absent; another type is reported (strict decoding rejects it). */
  private static String text(JsonNode metadata, String field, List<Violation> out) {
    JsonNode value = metadata.path(field);
    if (value.isTextual()) {
      return value.textValue();
    }
    if (!value.isMissingNode() && !value.isNull()) {
      String path = FieldPaths.child("metadata", field);
      out.add(Violation.typeInvalid(path, value, path + " must be of type string"));
    }
    return "";
  }

  /** A map of strings; other shapes are reported (strict decoding rejects them too). */
  private static Map<String, String> stringMap(
      JsonNode metadata, String field, List<Violation> out) {
    JsonNode value = metadata.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return Map.of();
    }
    String path = FieldPaths.child("metadata", field);
    if (!value.isObject()) {
      out.add(Violation.typeInvalid(path, value, path + " must be of type object"));
      return Map.of();
    }
    Map<String, String> map = new java.util.LinkedHashMap<>();
    value
        .properties()
        .forEach(
            e -> {
              if (e.getValue().isTextual()) {
                map.put(e.getKey(), e.getValue().textValue());
              } else {
                String entry = FieldPaths.child(path, e.getKey());
                out.add(
                    Violation.typeInvalid(entry, e.getValue(), entry + " must be of type string"));
              }
            });
    return map;
  }

  private static long bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }
}
