package io.fastvm.node.launcher;

import io.fastvm.cloudinit.NoCloudSeed;
import io.fastvm.node.qemu.QemuInputs;
import io.fastvm.node.volume.ImageChange;
import java.nio.file.Path;
import java.util.List;

/**
 * What the launcher will do, decided before it does anything.
 *
 * @param qemu what QEMU is started with (its name is the VM's namespace/name; its uefi the firmware
 *     whose variable store to prepare, or null for BIOS)
 * @param argv QEMU's command line
 * @param tpmStateDir swtpm's state folder, or null (no TPM)
 * @param renderedSeed a seed rendered from a CloudInitConfig, or null
 * @param seedDir a pre-rendered seed folder (--cloud-init-seed), or null
 */
public record LaunchPlan(
    QemuInputs qemu,
    List<String> argv,
    Path tpmStateDir,
    NoCloudSeed renderedSeed,
    Path seedDir,
    long gracePeriodSeconds,
    List<ImageChange> imageChanges) {

  public LaunchPlan {
    imageChanges = List.copyOf(imageChanges);
  }

  public boolean hasCloudInit() {
    return renderedSeed != null || seedDir != null;
  }
}
