package io.fastvm.node.launcher;

import io.fastvm.node.cloudinit.NoCloudSeed;
import io.fastvm.node.firmware.UefiFirmware;
import io.fastvm.node.qemu.AcceleratorChoice;
import io.fastvm.node.qemu.QemuInputs;
import java.nio.file.Path;
import java.util.List;

/**
 * What the launcher will do, decided before it does anything.
 *
 * @param argv QEMU's command line
 * @param uefi the UEFI firmware whose variable store to prepare, or null (BIOS)
 * @param tpmStateDir swtpm's state folder, or null (no TPM)
 * @param renderedSeed a seed rendered from a CloudInitConfig, or null
 * @param seedDir a pre-rendered seed folder (--cloud-init-seed), or null
 */
public record LaunchPlan(
    String vmId,
    AcceleratorChoice accelerator,
    QemuInputs qemu,
    List<String> argv,
    UefiFirmware uefi,
    Path tpmStateDir,
    NoCloudSeed renderedSeed,
    Path seedDir,
    long gracePeriodSeconds) {

  public boolean hasCloudInit() {
    return renderedSeed != null || seedDir != null;
  }
}
