package io.fastvm.node.qemu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON values of {@code -device}, {@code -blockdev}, {@code -netdev} and {@code -object} (QEMU 7.2
 * accepts JSON for all four): strings are JSON-encoded, so commas, quotes and equals signs in user
 * values need no QEMU escaping. Control characters are still rejected.
 */
public final class QemuJson {
  private QemuJson() {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A user-influenced string: checked for control characters. */
  public static String text(String what, String value) {
    return QemuOpts.requireSafe(what, value);
  }

  public static String render(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
