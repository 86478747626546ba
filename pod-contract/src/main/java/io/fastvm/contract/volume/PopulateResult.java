package io.fastvm.contract.volume;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a successful populator run made: its termination message (as {@link #toJson()}), which the
 * operator copies into the Volume's status.
 *
 * @param virtualSize the image's virtual size in bytes
 * @param allocatedSize bytes the image file takes on the PVC
 * @param format {@code qcow2} or {@code raw}
 * @param sha256 SHA-256 of the downloaded bytes (lowercase hex) for an http source, else null
 */
public record PopulateResult(long virtualSize, long allocatedSize, String format, String sha256) {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final List<String> KEYS =
      List.of("virtualSize", "allocatedSize", "format", "sha256");

  public PopulateResult {
    if (virtualSize < 0 || allocatedSize < 0) {
      throw new IllegalArgumentException(
          "sizes cannot be negative: virtualSize "
              + virtualSize
              + ", allocatedSize "
              + allocatedSize);
    }
    if (format == null || !PopulateInvocation.FORMATS.contains(format)) {
      throw new IllegalArgumentException("format must be qcow2 or raw, not " + format);
    }
    if (sha256 != null && !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits, not " + sha256);
    }
  }

  /**
   * One line of JSON with the four fields. No value needs escaping (the constructor allows none
   * that would), which keeps this and {@link #fromJson} small and dependency-free.
   */
  public String toJson() {
    return "{\"virtualSize\":"
        + virtualSize
        + ",\"allocatedSize\":"
        + allocatedSize
        + ",\"format\":\""
        + format
        + "\",\"sha256\":"
        + (sha256 == null ? "null" : "\"" + sha256 + "\"")
        + "}";
  }

  /**
   * Parses {@link #toJson()}'s output strictly: one object with exactly the four keys (in any
   * order, JSON whitespace allowed), non-negative integer sizes, string values without escapes, and
   * nothing after it.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static PopulateResult fromJson(String json) {
    return new Parser(json).result();
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    PopulateResult result() {
      Map<String, Object> values = new HashMap<>();
      skipWhitespace();
      expect('{');
      skipWhitespace();
      if (peek() != '}') {
        while (true) {
          skipWhitespace();
          String key = string();
          if (!KEYS.contains(key)) {
            throw fail("unknown key \"" + key + "\"");
          }
          if (values.containsKey(key)) {
            throw fail("key \"" + key + "\" is given twice");
          }
          skipWhitespace();
          expect(':');
          skipWhitespace();
          values.put(key, key.endsWith("Size") ? (Object) number() : stringOrNull());
          skipWhitespace();
          if (peek() == ',') {
            pos++;
            continue;
          }
          break;
        }
      }
      expect('}');
      skipWhitespace();
      if (pos != text.length()) {
        throw fail("unexpected text after the object");
      }
      for (String key : KEYS) {
        if (!values.containsKey(key)) {
          throw fail("missing key \"" + key + "\"");
        }
      }
      Object format = values.get("format");
      if (format == null) {
        throw fail("format must not be null");
      }
      try {
        return new PopulateResult(
            (Long) values.get("virtualSize"),
            (Long) values.get("allocatedSize"),
            (String) format,
            (String) values.get("sha256"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a populate result: " + e.getMessage(), e);
      }
    }

    private long number() {
      int start = pos;
      while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
        pos++;
      }
      String digits = text.substring(start, pos);
      if (digits.isEmpty() || (digits.length() > 1 && digits.charAt(0) == '0')) {
        pos = start;
        throw fail("expected a non-negative integer");
      }
      try {
        return Long.parseLong(digits);
      } catch (NumberFormatException e) {
        pos = start;
        throw fail("number out of range: " + digits);
      }
    }

    private String stringOrNull() {
      if (text.startsWith("null", pos)) {
        pos += 4;
        return null;
      }
      return string();
    }

    private String string() {
      expect('"');
      int start = pos;
      while (pos < text.length() && text.charAt(pos) != '"') {
        char c = text.charAt(pos);
        if (c == '\\' || c < 0x20) {
          throw fail("escapes and control characters are not allowed in strings");
        }
        pos++;
      }
      String value = text.substring(start, pos);
      expect('"');
      return value;
    }

    private char peek() {
      return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) {
      if (peek() != c || pos >= text.length()) {
        throw fail("expected '" + c + "'");
      }
      pos++;
    }

    private void skipWhitespace() {
      while (pos < text.length() && " \t\n\r".indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
    }

    private IllegalArgumentException fail(String what) {
      return new IllegalArgumentException(
          "not a populate result: " + what + " at offset " + pos + " of " + abbreviate(text));
    }

    private static String abbreviate(String text) {
      return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
  }
}
