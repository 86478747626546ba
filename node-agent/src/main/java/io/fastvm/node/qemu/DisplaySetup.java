package io.fastvm.node.qemu;

import io.fastvm.api.v1alpha1.DisplayType;

/** Graphics adapter and remote screens, with defaults applied. */
public record DisplaySetup(
    DisplayType type, int vramMiB, boolean vnc, boolean spice, int usbRedirection) {

  public static DisplaySetup none() {
    return new DisplaySetup(DisplayType.NONE, 0, false, false, 0);
  }
}
