package io.fastvm.node.launcher;

import io.fastvm.node.process.Executables;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The programs the launcher runs, found on PATH (each can be overridden by an environment
 * variable). Missing ones are reported only when the VM needs them.
 */
public record HostTools(
    Optional<Path> qemu,
    Optional<Path> swtpm,
    Optional<Path> xorriso,
    Optional<Path> qemuImg,
    Optional<Path> passt) {

  /** Without passt. */
  public HostTools(
      Optional<Path> qemu, Optional<Path> swtpm, Optional<Path> xorriso, Optional<Path> qemuImg) {
    this(qemu, swtpm, xorriso, qemuImg, Optional.empty());
  }

  public static HostTools fromEnvironment() {
    return new HostTools(
        Executables.find("qemu-system-x86_64", "FASTVM_QEMU"),
        Executables.find("swtpm", "FASTVM_SWTPM"),
        Executables.find("xorriso", "FASTVM_XORRISO"),
        Executables.find("qemu-img", "FASTVM_QEMU_IMG"),
        Executables.find("passt", "FASTVM_PASST"));
  }
}
