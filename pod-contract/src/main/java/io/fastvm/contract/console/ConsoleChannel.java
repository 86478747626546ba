package io.fastvm.contract.console;

import io.fastvm.contract.RuntimeDir;
import java.util.Locale;
import java.util.Optional;

/** The consoles a VM pod serves: QEMU's VNC and SPICE screens and the launcher's serial line. */
public enum ConsoleChannel {
  VNC("vnc", RuntimeDir.VNC_SOCKET),
  SPICE("spice", RuntimeDir.SPICE_SOCKET),
  SERIAL("serial", RuntimeDir.SERIAL_SOCKET);

  private final String wireName;
  private final String defaultSocketName;

  ConsoleChannel(String wireName, String defaultSocketName) {
    this.wireName = wireName;
    this.defaultSocketName = defaultSocketName;
  }

  /** The name used on the endpoint protocol, in URLs and in link tokens. */
  public String wireName() {
    return wireName;
  }

  /** File name of the unix socket in the launcher's runtime dir ({@link RuntimeDir}). */
  public String defaultSocketName() {
    return defaultSocketName;
  }

  public static Optional<ConsoleChannel> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String lower = name.toLowerCase(Locale.ROOT);
    for (ConsoleChannel channel : values()) {
      if (channel.wireName.equals(lower)) {
        return Optional.of(channel);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return wireName;
  }
}
