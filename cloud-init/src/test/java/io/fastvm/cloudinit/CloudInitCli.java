package io.fastvm.cloudinit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code cloud-init schema --config-file F} of Debian 12's cloud-init 22.4.2, as the
 * oracle our schema check is measured against. What it does, found by running it:
 *
 * <ul>
 *   <li>valid: exit 0, stdout {@code Valid cloud-config: F}. Deprecations do not make it invalid:
 *       they come first on stdout as {@code Cloud config schema deprecations: users.0.sudo:
 *       DEPRECATED: ...}, still exit 0.
 *   <li>schema errors: exit 1, stderr {@code Error:} and {@code Cloud config schema errors: PATH:
 *       MESSAGE, PATH: MESSAGE} (paths like {@code users.0.lock_passwd}; a oneOf only says "is not
 *       valid under any of the given schemas"); stdout then has {@code Cloud config schema
 *       deprecations: } with a possibly empty list.
 *   <li>no {@code #cloud-config} at byte 0: exit 1, {@code format-l1.c1: File F needs to begin with
 *       "#cloud-config"}.
 *   <li>YAML errors: exit 1, {@code format-lL.cC: File F is not valid yaml. ...} (PyYAML's message
 *       and marks).
 *   <li>an empty document or one that is no mapping: exit 1, {@code Cloud-config is not a YAML
 *       dict.}
 *   <li>a YAML date that is no date ({@code 2024-13-01}): PyYAML raises ValueError while loading
 *       and the command dies with a Python traceback, exit 1.
 *   <li>unknown top-level keys are valid (the schema's root allows any key); formats: only {@code
 *       date} is checked, {@code hostname} and {@code uri} need Python packages (fqdn, rfc3987)
 *       that Debian's cloud-init does not pull in.
 * </ul>
 *
 * So: exit 0 is "cloud-init accepts it", anything else is "cloud-init refuses it".
 */
final class CloudInitCli {
  private CloudInitCli() {}

  /**
   * @param output stdout and stderr together
   */
  record Verdict(boolean valid, String output) {}

  static Verdict schema(Path configFile) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                List.of(
                    Prerequisites.cloudInit().toString(),
                    "schema",
                    "--config-file",
                    configFile.toString()))
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("cloud-init schema did not finish within 120 s for " + configFile);
    }
    return new Verdict(process.exitValue() == 0, new String(output, StandardCharsets.UTF_8));
  }

  /** The verdict on a text, written to a temporary file in {@code dir}. */
  static Verdict schema(Path dir, String name, String cloudConfig)
      throws IOException, InterruptedException {
    Path file = dir.resolve(name);
    Files.writeString(file, cloudConfig);
    return schema(file);
  }
}
