package io.fastvm.node.qemu;

/** The accelerator QEMU runs with, once {@code auto} has been decided. */
public enum AcceleratorKind {
  KVM,
  TCG;

  public String qemuName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
