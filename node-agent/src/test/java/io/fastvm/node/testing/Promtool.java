package io.fastvm.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Prometheus's {@code promtool}, as dev/install-promtool unpacks it from Debian's package. */
public final class Promtool {
  private Promtool() {}

  static Path path() {
    String cache =
        System.getenv()
            .getOrDefault(
                "FASTVM_CACHE",
                Path.of(System.getProperty("user.home"), ".cache", "fastvm").toString());
    return Path.of(cache, "promtool", "promtool");
  }

  public static void assumeAvailable() {
    Assumptions.assumeTrue(
        Files.isExecutable(path()), "no promtool at " + path() + ": run dev/install-promtool");
  }

  /** {@code promtool check metrics} passes on {@code text} (Prometheus text format). */
  public static void assertChecks(String text) throws IOException, InterruptedException {
    Process check =
        new ProcessBuilder(path().toString(), "check", "metrics").redirectErrorStream(true).start();
    try (var in = check.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).as("promtool ended").isTrue();
    assertThat(check.exitValue()).as("promtool check metrics:\n" + out + "\non:\n" + text).isZero();
  }
}
