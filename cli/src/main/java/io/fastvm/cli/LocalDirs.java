package io.fastvm.cli;

import java.nio.file.Path;

/** XDG base directories for {@code fastvm run}'s state and sockets. */
final class LocalDirs {
  private LocalDirs() {}

  static Path state() {
    String xdg = System.getenv("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "fastvm");
    }
    return Path.of(System.getProperty("user.home"), ".local", "state", "fastvm");
  }

  /** Short paths: unix socket paths must stay under 108 bytes. */
  static Path runtime() {
    String xdg = System.getenv("XDG_RUNTIME_DIR");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "fastvm");
    }
    return Path.of("/tmp", "fastvm-" + new com.sun.security.auth.module.UnixSystem().getUid());
  }
}
