package io.fastvm.node.qemu;

import java.util.regex.Pattern;

/**
 * QEMU's key=value option syntax ({@code -chardev}, {@code -vnc}, {@code -spice}, ...): a comma
 * ends a value unless it is doubled. Every user-influenced value that enters such an option goes
 * through {@link #value}; options that accept JSON are built with {@link QemuJson} instead.
 */
public final class QemuOpts {
  private QemuOpts() {}

  private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,127}");

  /**
   * Escapes one option value: {@code ,} becomes {@code ,,}. Control characters (newlines included)
   * cannot be made safe and are rejected.
   */
  public static String value(String what, String value) {
    requireSafe(what, value);
    return value.replace(",", ",,");
  }

  /** Rejects empty values and values with control characters (anything below 0x20, and DEL). */
  public static String requireSafe(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(
            what + " contains a control character (0x" + Integer.toHexString(c) + ")");
      }
    }
    return value;
  }

  /** A QEMU object id (device, netdev, chardev): letters, digits, {@code - . _}; never escaped. */
  public static String id(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a valid QEMU id: " + id);
    }
    return id;
  }
}
