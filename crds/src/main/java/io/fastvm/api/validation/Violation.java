package io.fastvm.api.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One reason a manifest would be rejected, in the API server's words.
 *
 * @param field Kubernetes-style field path, e.g. {@code spec.disks[0].bus}; empty for the object
 *     itself
 * @param type what kind of error it is
 * @param message the error without the path, e.g. {@code Invalid value: 0: spec.cpu.cores in body
 *     should be greater than or equal to 1}
 */
public record Violation(String field, ViolationType type, String message) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The line {@code kubectl} would print, e.g. {@code spec.memory: Required value}. */
  @Override
  public String toString() {
    return field.isEmpty() ? message : field + ": " + message;
  }

  static Violation required(String field, String detail) {
    return new Violation(field, ViolationType.REQUIRED, withDetail(ViolationType.REQUIRED, detail));
  }

  static Violation invalid(String field, Object value, String detail) {
    return withValue(field, ViolationType.INVALID, value, detail);
  }

  static Violation typeInvalid(String field, Object value, String detail) {
    return withValue(field, ViolationType.TYPE_INVALID, value, detail);
  }

  static Violation notSupported(String field, Object value, List<String> supported) {
    String detail =
        supported.isEmpty()
            ? ""
            : "supported values: "
                + supported.stream().map(Violation::render).collect(Collectors.joining(", "));
    return withValue(field, ViolationType.NOT_SUPPORTED, value, detail);
  }

  static Violation forbidden(String field, String detail) {
    return new Violation(
        field, ViolationType.FORBIDDEN, withDetail(ViolationType.FORBIDDEN, detail));
  }

  static Violation duplicate(String field, Object value, String detail) {
    return withValue(field, ViolationType.DUPLICATE, value, detail);
  }

  static Violation tooLong(String field, int max) {
    return new Violation(
        field,
        ViolationType.TOO_LONG,
        withDetail(ViolationType.TOO_LONG, "may not be more than " + max + " bytes"));
  }

  static Violation tooMany(String field, int actual, int max) {
    return withValue(field, ViolationType.TOO_MANY, actual, "must have at most " + max + " items");
  }

  static Violation unknownField(String field) {
    return new Violation(field, ViolationType.UNKNOWN_FIELD, "unknown field \"" + field + "\"");
  }

  static Violation internal(String field, String detail) {
    return new Violation(field, ViolationType.INTERNAL, withDetail(ViolationType.INTERNAL, detail));
  }

  static Violation withValue(String field, ViolationType type, Object value, String detail) {
    return new Violation(field, type, withDetail(type.text() + ": " + render(value), detail));
  }

  private static String withDetail(ViolationType type, String detail) {
    return withDetail(type.text(), detail);
  }

  private static String withDetail(String head, String detail) {
    return detail == null || detail.isEmpty() ? head : head + ": " + detail;
  }

  /**
   * Renders a bad value as the API server does: strings quoted, numbers and booleans plain,
   * anything else as compact JSON.
   */
  static String render(Object value) {
    Object plain = value instanceof JsonNode node && node.isValueNode() ? valueOf(node) : value;
    try {
      return switch (plain) {
        case null -> "null";
        case Number n -> n.toString();
        case Boolean b -> b.toString();
        default -> JSON.writeValueAsString(plain);
      };
    } catch (JsonProcessingException e) {
      return String.valueOf(plain);
    }
  }

  private static Object valueOf(JsonNode node) {
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isNumber()) {
      return node.numberValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return null;
  }
}
