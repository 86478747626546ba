package io.fastvm.cloudinit;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Tools from Debian packages that some tests run. A missing one skips the test with a message
 * naming the package; on CI (CI=true) nothing may skip, so it fails instead.
 */
final class Prerequisites {
  private Prerequisites() {}

  static final Path CLOUD_INIT = Path.of("/usr/bin/cloud-init");
  static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");

  /** The command, after skipping or failing the test when it is missing. */
  static Path require(Path command, String debianPackage) {
    if (!Files.isExecutable(command)) {
      missing(command, debianPackage);
    }
    return command;
  }

  /** A file a package installs, after skipping or failing the test when it is missing. */
  static Path requireFile(Path file, String debianPackage) {
    if (!Files.isRegularFile(file)) {
      missing(file, debianPackage);
    }
    return file;
  }

  private static void missing(Path path, String debianPackage) {
    String missing =
        path + " is missing: install the Debian package " + debianPackage + " (dev/install-deps)";
    if ("true".equals(System.getenv("CI"))) {
      fail(missing);
    }
    Assumptions.abort("skipped: " + missing);
  }

  static Path cloudInit() {
    return require(CLOUD_INIT, "cloud-init");
  }

  static Path sshKeygen() {
    return require(SSH_KEYGEN, "openssh-client");
  }
}
