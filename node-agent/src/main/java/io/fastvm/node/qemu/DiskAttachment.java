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
 * @param backing an overlay's base image, opened read-only as its backing node; or null
 * @param backingFormat the base image's format; null without a backing image
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
    boolean directIo,
    Path backing,
    VolumeFormat backingFormat) {

  public DiskAttachment(
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
    this(
        id, file, format, bus, cdrom, readOnly, bootIndex, serial, cache, discard, directIo, null,
        null);
  }

  /** The cache mode actually used: the spec's, else none where O_DIRECT works, else writeback. */
  public DiskCache effectiveCache() {
    if (cache != null) {
      return cache;
    }
    return directIo ? DiskCache.NONE : DiskCache.WRITEBACK;
  }
}
