package io.fastvm.node.guest;

import java.nio.file.Path;
import java.util.Map;

/**
 * A built Debian root disk: a raw image holding one ext4 file system, and per kernel flavour the
 * kernel and initramfs to boot it directly. The image is a shared cache file: attach it read-only
 * (as the base of an overlay clone, say), never writable.
 *
 * @param kernels by flavour ({@link DebianKernel#CLOUD}, {@link DebianKernel#GENERIC})
 */
public record DebianDisk(Path image, long bytes, Map<String, GuestImage> kernels) {

  public DebianDisk {
    kernels = Map.copyOf(kernels);
  }

  /** The kernel of {@code flavour}; fails naming the flavours there are. */
  public GuestImage kernel(String flavour) {
    GuestImage kernel = kernels.get(flavour);
    if (kernel == null) {
      throw new IllegalArgumentException(
          "the disk has no " + flavour + " kernel, only " + kernels.keySet());
    }
    return kernel;
  }
}
