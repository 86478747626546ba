package io.fastvm.node.qemu;

import io.fastvm.node.firmware.UefiFirmware;
import io.fastvm.node.network.NicAttachment;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the QEMU command line depends on, resolved: the argv is a pure function of this
 * ({@link QemuCommandBuilder#build}).
 *
 * @param name the VM's name for QEMU's {@code -name} (namespace/name)
 * @param uefi null for BIOS (SeaBIOS)
 * @param tpmSocket swtpm's control socket, null for no TPM
 * @param kernelBoot null unless the spec asks for direct kernel boot
 */
public record QemuInputs(
    Path qemuBinary,
    String name,
    AcceleratorKind accelerator,
    String cpuModel,
    int sockets,
    int cores,
    int threads,
    long memoryMiB,
    UefiFirmware uefi,
    Path tpmSocket,
    List<DiskAttachment> disks,
    KernelFiles kernelBoot,
    List<NicAttachment> nics,
    DisplaySetup display,
    QemuSockets runtimeSockets) {

  public QemuInputs {
    disks = List.copyOf(disks);
    nics = List.copyOf(nics);
  }
}
