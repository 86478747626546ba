package io.fastvm.cloudinit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What cloud-init 22.4 makes of a piece of user-data: MIME when a {@code MIME-Version} header is in
 * its first 4096 bytes ({@code user_data.convert_string}), else the kind its start names, matched
 * lower-cased after leading white space, longest prefix first ({@code
 * handlers.type_from_starts_with}: so {@code #cloud-config-archive} is not {@code #cloud-config}).
 */
enum UserDataKind {
  CLOUD_CONFIG("#cloud-config", "text/cloud-config", "a #cloud-config"),
  SCRIPT("#!", "text/x-shellscript", "a script"),
  MIME(null, "multipart/mixed", "MIME multi-part"),
  INCLUDE("#include", "text/x-include-url", "an #include list of URLs"),
  INCLUDE_ONCE("#include-once", "text/x-include-once-url", "an #include-once list of URLs"),
  BOOTHOOK("#cloud-boothook", "text/cloud-boothook", "a #cloud-boothook"),
  PART_HANDLER("#part-handler", "text/part-handler", "a #part-handler"),
  ARCHIVE("#cloud-config-archive", "text/cloud-config-archive", "a #cloud-config-archive"),
  JSONP("#cloud-config-jsonp", "text/cloud-config-jsonp", "a #cloud-config-jsonp"),
  JINJA("## template: jinja", "text/jinja2", "a jinja template (## template: jinja)"),
  TEXT(null, "text/plain", "plain text, which cloud-init ignores");

  /** The start that names the kind, or null. */
  final String prefix;

  /** The MIME type cloud-init gives it. */
  final String mimeType;

  final String description;

  UserDataKind(String prefix, String mimeType, String description) {
    this.prefix = prefix;
    this.mimeType = mimeType;
    this.description = description;
  }

  /** What fastvm accepts as raw user-data, for messages. */
  static final String ALLOWED =
      "allowed: #cloud-config, a script starting with #!, or MIME multi-part (a MIME-Version"
          + " header and Content-Type: multipart/...)";

  private static final List<UserDataKind> BY_PREFIX =
      Arrays.stream(values())
          .filter(k -> k.prefix != null)
          .sorted(Comparator.comparingInt((UserDataKind k) -> k.prefix.length()).reversed())
          .toList();

  /** Whether fastvm lets it through: the kinds whose content a boot-time check can read. */
  boolean allowed() {
    return this == CLOUD_CONFIG || this == SCRIPT || this == MIME;
  }

  /** The kind of user-data as a whole. */
  static UserDataKind of(String userData) {
    return isMime(userData) ? MIME : byContent(userData);
  }

  /** The kind its start names, as cloud-init types a text/plain part. */
  static UserDataKind byContent(String content) {
    String start = content.stripLeading().toLowerCase(Locale.ROOT);
    for (UserDataKind kind : BY_PREFIX) {
      if (start.startsWith(kind.prefix)) {
        return kind;
      }
    }
    return TEXT;
  }

  /** The kind a MIME part's type names, or null when cloud-init would type it by its content. */
  static UserDataKind byMimeType(String mimeType) {
    if (mimeType.startsWith("text/x-shellscript")) {
      // text/x-shellscript-per-boot, -per-instance, -per-once run at other times, still scripts.
      return SCRIPT;
    }
    for (UserDataKind kind : values()) {
      if (kind.prefix != null && kind.mimeType.equals(mimeType)) {
        return kind;
      }
    }
    return null;
  }

  static boolean isMime(String userData) {
    byte[] bytes = userData.getBytes(StandardCharsets.UTF_8);
    String head =
        new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8)
            .toLowerCase(Locale.ROOT);
    return head.contains("mime-version:");
  }

  /**
   * Whether the content starts with this kind's prefix exactly, at its first character: a script
   * needs {@code #!} there for the kernel to run it, and {@code cloud-init schema} and the
   * renderer's MIME typing read {@code #cloud-config} only so.
   */
  boolean startsExactly(String content) {
    return prefix == null || content.startsWith(prefix);
  }
}
