package io.fastvm.node.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds programs on PATH, with an environment variable to override each. */
public final class Executables {
  private Executables() {}

  /**
   * @param name program name, e.g. {@code qemu-system-x86_64}
   * @param overrideVariable environment variable that names the program's path instead
   */
  public static Optional<Path> find(String name, String overrideVariable) {
    String override = System.getenv(overrideVariable);
    if (override != null && !override.isBlank()) {
      Path p = Path.of(override);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : (path + ":/usr/sbin:/sbin").split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
