package io.fastvm.operator.config;

/**
 * Constants of the memory overhead formula (MiB), see docs/operator.md: what a VM pod needs on top
 * of guest memory.
 *
 * @param launcherMiB the launcher JVM (heap cap plus metaspace, code cache, threads)
 * @param qemuBaseMiB a QEMU process with no guest memory touched: binary, libraries, device model
 * @param perVcpuMiB each vCPU thread and its state
 * @param pageTableDivisor guest memory divided by this is added for page tables and memory maps
 * @param uefiMiB OVMF code and variable flash
 * @param tpmMiB the swtpm process
 * @param tcgMiB the TCG translation cache, added when the VM does not request KVM
 */
public record MemoryOverhead(
    int launcherMiB,
    int qemuBaseMiB,
    int perVcpuMiB,
    int pageTableDivisor,
    int uefiMiB,
    int tpmMiB,
    int tcgMiB) {

  public static MemoryOverhead defaults() {
    return new MemoryOverhead(64, 96, 8, 512, 8, 16, 64);
  }
}
