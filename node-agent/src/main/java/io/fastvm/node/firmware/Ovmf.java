package io.fastvm.node.firmware;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Finds Debian's OVMF build and keeps a per-VM copy of the UEFI variable store in the VM's state
 * directory: the first boot copies the template, later boots reuse it (boot entries, enrolled keys
 * and BitLocker's measurements depend on it).
 */
public final class Ovmf {

  /** The VM's variable store in its state directory. */
  public static final String VARS_FILE = "uefi-vars.fd";

  /** Names the template the store was copied from, so a Secure Boot switch is noticed. */
  public static final String VARS_TEMPLATE_MARKER = "uefi-vars.template";

  /** Debian's ovmf package; FASTVM_OVMF_DIR overrides it. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/OVMF");

  private static final String CODE = "OVMF_CODE_4M.fd";
  private static final String VARS = "OVMF_VARS_4M.fd";
  // Secure Boot: the SMM-protected code and a variable store with Microsoft's keys enrolled.
  private static final String SECBOOT_CODE = "OVMF_CODE_4M.secboot.fd";
  private static final String MS_VARS = "OVMF_VARS_4M.ms.fd";

  private final Path dir;

  public Ovmf(Path dir) {
    this.dir = dir;
  }

  public static Ovmf fromEnvironment() {
    String override = System.getenv("FASTVM_OVMF_DIR");
    return new Ovmf(override == null || override.isBlank() ? DEFAULT_DIR : Path.of(override));
  }

  /** Checks the files exist; adds a message to {@code problems} otherwise. Changes nothing. */
  public Optional<UefiFirmware> locate(Path stateDir, boolean secureBoot, List<String> problems) {
    Path code = dir.resolve(secureBoot ? SECBOOT_CODE : CODE);
    Path template = dir.resolve(secureBoot ? MS_VARS : VARS);
    boolean ok = true;
    for (Path file : List.of(code, template)) {
      if (!Files.isReadable(file)) {
        problems.add(
            "firmware uefi"
                + (secureBoot ? " with Secure Boot" : "")
                + ": "
                + file
                + " is missing (install the Debian package ovmf)");
        ok = false;
      }
    }
    return ok
        ? Optional.of(new UefiFirmware(code, template, stateDir.resolve(VARS_FILE), secureBoot))
        : Optional.empty();
  }

  /**
   * Makes sure the VM's variable store exists: copies the template on first boot, keeps it
   * afterwards. When Secure Boot was switched since, the old store (made for the other firmware
   * code) is kept as {@code uefi-vars.fd.bak} and a fresh copy is made.
   *
   * @return a note for the log when something was copied, else empty
   */
  public static Optional<String> prepareVars(UefiFirmware firmware) throws IOException {
    Path vars = firmware.vars();
    Path marker = vars.resolveSibling(VARS_TEMPLATE_MARKER);
    String template = firmware.varsTemplate().getFileName().toString();
    Files.createDirectories(vars.getParent());
    if (Files.exists(vars)) {
      String previous = Files.exists(marker) ? Files.readString(marker).strip() : template;
      if (previous.equals(template)) {
        return Optional.empty();
      }
      Files.move(
          vars, vars.resolveSibling(VARS_FILE + ".bak"), StandardCopyOption.REPLACE_EXISTING);
      copy(firmware.varsTemplate(), vars, marker, template);
      return Optional.of(
          "UEFI variables: Secure Boot was switched; started over from "
              + template
              + " (the old store is "
              + VARS_FILE
              + ".bak)");
    }
    copy(firmware.varsTemplate(), vars, marker, template);
    return Optional.of("UEFI variables: first boot, copied " + firmware.varsTemplate());
  }

  private static void copy(Path template, Path vars, Path marker, String templateName)
      throws IOException {
    Path tmp = vars.resolveSibling(VARS_FILE + ".tmp");
    Files.copy(template, tmp, StandardCopyOption.REPLACE_EXISTING);
    // The template is read-only in the package; the copy must be writable by QEMU.
    tmp.toFile().setWritable(true, true);
    Files.move(tmp, vars, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(marker, templateName + "\n");
  }
}
