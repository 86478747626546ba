package io.fastvm.testcluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The repository root, found from the working directory (a module folder when Maven runs). */
public final class RepoRoot {
  private RepoRoot() {}

  public static Optional<Path> find() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isExecutable(dir.resolve("dev/kube/up"))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }
}
