package io.fastvm.node.guest;

import io.fastvm.node.process.GuardedProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the steps of a root disk build (debootstrap, then programs inside the root) at the lowest
 * priority, each in a mount and PID namespace of its own ({@code unshare}): the /proc they mount
 * and any daemon a package starts end with the step, so no mount is ever left in the host's view of
 * the root (which the build deletes afterwards). Steps die with the JVM. Output goes to one log.
 */
final class IsolatedSteps {

  private static final GuardedProcesses PROCESSES = new GuardedProcesses();

  /** Clean environment of every step: no host locale, no prompts from dpkg. */
  private static final Map<String, String> ENV =
      Map.of(
          "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "HOME", "/root",
          "LC_ALL", "C.UTF-8",
          "DEBIAN_FRONTEND", "noninteractive");

  private final Path log;
  private final Duration timeout;

  IsolatedSteps(Path log, Duration timeout) {
    this.log = log;
    this.timeout = timeout;
  }

  /** Runs {@code argv} on the host, with a /proc of its own. */
  void run(List<String> argv) throws IOException {
    exec(argv, "--mount-proc");
  }

  /** Runs {@code argv} inside {@code root} (chroot), with a /proc of its own there. */
  void inRoot(Path root, List<String> argv) throws IOException {
    List<String> command = new ArrayList<>(List.of("chroot", root.toString()));
    command.addAll(argv);
    exec(command, "--mount-proc=" + root.resolve("proc"));
  }

  private void exec(List<String> argv, String mountProc) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "nice",
                "-n",
                "19",
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--pid",
                "--fork",
                "--kill-child",
                mountProc));
    command.addAll(argv);
    Files.writeString(
        log,
        "$ " + String.join(" ", argv) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    Process process;
    try {
      process =
          PROCESSES.start(
              command,
              pb -> {
                pb.environment().clear();
                pb.environment().putAll(ENV);
                return pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
              });
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        throw failure(argv, "did not finish within " + timeout.toMinutes() + " min");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + argv.get(0), e);
    }
    if (process.exitValue() != 0) {
      throw failure(argv, "failed with status " + process.exitValue());
    }
  }

  private IOException failure(List<String> argv, String what) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    return new IOException(
        String.join(" ", argv) + " " + what + "; the end of " + log + ":\n" + tail);
  }
}
