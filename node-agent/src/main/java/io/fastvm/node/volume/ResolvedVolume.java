package io.fastvm.node.volume;

import io.fastvm.api.v1alpha1.VolumeFormat;
import java.nio.file.Path;

/**
 * A Volume bound to its image file.
 *
 * @param directIo whether the file's filesystem supports O_DIRECT (cache mode none)
 * @param backing for an overlay clone: its base, opened read-only as the overlay's backing image
 * @param change what must happen to the image before QEMU opens it, or null
 */
public record ResolvedVolume(
    String name,
    Path file,
    VolumeFormat format,
    boolean directIo,
    ResolvedVolume backing,
    ImageChange change) {

  public ResolvedVolume(String name, Path file, VolumeFormat format, boolean directIo) {
    this(name, file, format, directIo, null, null);
  }
}
