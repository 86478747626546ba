package io.fastvm.node.qemu;

import io.fastvm.api.v1alpha1.DiskBus;
import io.fastvm.api.v1alpha1.DiskCache;
import io.fastvm.api.v1alpha1.VolumeFormat;
import java.nio.file.Path;

/**
 * A disk or CD-ROM as QEMU gets it.
 *
 * @param id QEMU device id (letters, digits, {@code - . _})
 * @param bootIndex boot priority (1 first), or null
 * @param serial serial number the guest sees, or null
 * @param directIo whether the image's filesystem supports O_DIRECT
 */
public record DiskAttachment(
    String id,
    Path file,
    VolumeFormat format,
    DiskBus bus,
    boolean cdrom,
    boolean readOnly,
    Integer bootIndex,
    String serial,
    DiskCache cache,
    boolean discard,
    boolean directIo) {

  /** The cache mode actually used: the spec's, else none where O_DIRECT works, else writeback. */
  public DiskCache effectiveCache() {
    if (cache != null) {
      return cache;
    }
    return directIo ? DiskCache.NONE : DiskCache.WRITEBACK;
  }
}
