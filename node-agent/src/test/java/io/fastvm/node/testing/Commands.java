package io.fastvm.node.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a build tool without a shell and fails with its output when it fails. */
final class Commands {
  private Commands() {}

  static void run(Path workDir, List<String> argv) throws IOException {
    output(workDir, argv);
  }

  /** What {@code argv} printed, stdout and stderr together. */
  static String output(Path workDir, List<String> argv) throws IOException {
    Process process =
        new ProcessBuilder(argv)
            .directory(workDir == null ? null : workDir.toFile())
            .redirectErrorStream(true)
            .start();
    byte[] output = process.getInputStream().readAllBytes();
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(argv.get(0) + " did not finish within 120 s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          String.join(" ", argv)
              + " failed with status "
              + process.exitValue()
              + ":\n"
              + new String(output));
    }
    return new String(output);
  }
}
