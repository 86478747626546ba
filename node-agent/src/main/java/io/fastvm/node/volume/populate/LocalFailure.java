package io.fastvm.node.volume.populate;

import io.fastvm.node.volume.QemuImg.QemuImgException;
import java.io.IOException;

/**
 * Turns a failure on the Volume's own PVC (writing, converting, renaming) into the populator's
 * outcome: a full file system is {@code NO_SPACE}, an image locked by another process (a running
 * VM) is transient, anything else permanent.
 */
final class LocalFailure {
  private LocalFailure() {}

  /** Below this many free bytes a failed write is taken for a full file system. */
  static final long NEARLY_FULL = 1 << 20;

  /**
   * @param needed about how many bytes the step needed (for the message), or 0 if unknown
   * @param during what failed, e.g. "converting X to raw"
   */
  static PopulateException of(VolumeDir volume, IOException e, long needed, String during) {
    if (e instanceof QemuImgException q && q.locked()) {
      return PopulateException.transientFailure(
          during + " failed: the image is in use (by a running VM?): " + q.detail());
    }
    if (!exhausted(e, volume.usableSpace())) {
      return PopulateException.permanent(during + " failed: " + text(e), e);
    }
    // Removed first, so that the free space reported is what is left without them.
    volume.removeTemporariesQuietly();
    long free = volume.usableSpace();
    long total = volume.totalSpace();
    return PopulateException.noSpace(
        "the Volume's PVC is full: "
            + during
            + " failed ("
            + text(e)
            + "); the image needs "
            + (needed > 0 ? "about " + needed + " bytes" : "more space")
            + ", the PVC ("
            + volume.dir()
            + ") has "
            + (total >= 0 ? total + " bytes, " : "")
            + (free >= 0 ? free + " free" : "no space left")
            + " after removing the partial files; the Volume's PVC must be bigger",
        e);
  }

  /**
   * Whether {@code e} means the file system is full: ENOSPC or EDQUOT by their C message (the JVM
   * and qemu-img run with C messages in a pod), or a failure while almost nothing is free (in case
   * the message is localized).
   *
   * @param usableSpace free bytes now, or -1 if unknown
   */
  static boolean exhausted(IOException e, long usableSpace) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof QemuImgException q && q.noSpace()) {
        return true;
      }
      String message = t.getMessage();
      if (message != null
          && (message.contains("No space left on device")
              || message.contains("Disk quota exceeded"))) {
        return true;
      }
    }
    return usableSpace >= 0 && usableSpace < NEARLY_FULL;
  }

  static String text(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
