package io.fastvm.node.volume;

import io.fastvm.api.v1alpha1.VolumeFormat;
import java.nio.file.Path;

/**
 * What the launcher does to an image before QEMU opens it, planned with every other check and
 * carried out only once all of them passed.
 */
public sealed interface ImageChange {
  Path file();

  /**
   * An overlay clone's first start: its qcow2 image, backed by its base's image, is made now
   * (metadata only, milliseconds), not by a Job per clone.
   */
  record CreateOverlay(Path file, Path backing, VolumeFormat backingFormat, long sizeBytes)
      implements ImageChange {}

  /** The Volume's size grew since the image was written: the image grows to it (offline). */
  record Grow(Path file, VolumeFormat format, long sizeBytes) implements ImageChange {}
}
