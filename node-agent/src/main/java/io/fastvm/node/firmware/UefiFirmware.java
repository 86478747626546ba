package io.fastvm.node.firmware;

import java.nio.file.Path;

/**
 * The OVMF files a UEFI VM boots with.
 *
 * @param code read-only firmware code
 * @param varsTemplate pristine variable store, copied on first boot
 * @param vars the VM's own variable store in its state directory
 */
public record UefiFirmware(Path code, Path varsTemplate, Path vars, boolean secureBoot) {}
