package io.fastvm.node.volume;

import com.sun.nio.file.ExtendedOpenOption;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.api.v1alpha1.VolumeSpec;
import io.fastvm.node.manifest.ManifestSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds Volume names to image files: {@code --volume NAME=PATH} names a file, or a folder (a PVC
 * mount) holding {@link #IMAGE_FILE_NAME}. The format comes from the Volume manifest; without one
 * (a local file) it is read from the file's header. Only reads: it changes nothing.
 */
public final class VolumeResolver {

  /** Name of the image file in a Volume's PVC (like KubeVirt's {@code disk.img}). */
  public static final String IMAGE_FILE_NAME = "disk.img";

  private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

  private final ManifestSet manifests;
  private final Map<String, Path> bindings;

  public VolumeResolver(ManifestSet manifests, Map<String, Path> bindings) {
    this.manifests = manifests;
    this.bindings = bindings;
  }

  /**
   * Resolves one Volume, adding what is wrong to {@code problems}.
   *
   * @param user who needs it, for messages ("disk root", "kernelBoot.kernel")
   * @param writable whether the guest writes to it
   */
  public Optional<ResolvedVolume> resolve(
      String volumeName, String user, boolean writable, List<String> problems) {
    Path bound = bindings.get(volumeName);
    if (bound == null) {
      problems.add(
          user
              + ": Volume "
              + volumeName
              + " is not bound to a file (pass --volume="
              + volumeName
              + "=PATH)");
      return Optional.empty();
    }
    Path file = Files.isDirectory(bound) ? bound.resolve(IMAGE_FILE_NAME) : bound;
    if (!Files.isRegularFile(file)) {
      problems.add(
          user
              + ": Volume "
              + volumeName
              + ": "
              + (Files.isDirectory(bound)
                  ? "folder " + bound + " has no " + IMAGE_FILE_NAME
                  : "file " + file + " does not exist"));
      return Optional.empty();
    }
    if (!Files.isReadable(file) || (writable && !Files.isWritable(file))) {
      problems.add(
          user
              + ": Volume "
              + volumeName
              + ": file "
              + file
              + " is not "
              + (writable ? "readable and writable" : "readable"));
      return Optional.empty();
    }
    boolean qcow2Header = hasQcow2Header(file);
    Optional<VolumeSpec> manifest = manifests.volume(volumeName);
    VolumeFormat format;
    if (manifest.isPresent()) {
      format = manifest.get().effectiveFormat();
      if (format == VolumeFormat.QCOW2 && !qcow2Header) {
        problems.add(
            user
                + ": Volume "
                + volumeName
                + " has format qcow2 but "
                + file
                + " is not a qcow2 image");
        return Optional.empty();
      }
    } else {
      // A local file without a Volume manifest: its header tells. Raw is the safe reading for
      // anything else (ISOs, kernels), since it interprets nothing in the file.
      format = qcow2Header ? VolumeFormat.QCOW2 : VolumeFormat.RAW;
    }
    if (format == VolumeFormat.QCOW2) {
      // A qcow2 header may name any file as its backing file: QEMU would open it and the guest
      // could read it. Backing chains (overlay clones) are set up explicitly, never from a header.
      Optional<String> backing = backingFile(file);
      if (backing.isPresent()) {
        problems.add(
            user
                + ": Volume "
                + volumeName
                + ": "
                + file
                + " is a qcow2 overlay with backing file "
                + backing.get()
                + "; backing chains are not supported (qemu-img convert it to a standalone"
                + " image)");
        return Optional.empty();
      }
    }
    return Optional.of(new ResolvedVolume(volumeName, file, format, supportsDirectIo(file)));
  }

  static boolean hasQcow2Header(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(4), QCOW2_MAGIC);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The backing file a qcow2 header names, if any: big-endian offset at byte 8, length at 16. A
   * header that cannot be read counts as naming one, since nothing proves it does not.
   */
  static Optional<String> backingFile(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(20);
      channel.read(header, 0);
      header.flip();
      if (header.remaining() < 20) {
        return Optional.empty(); // too short to name one; QEMU refuses the broken image itself
      }
      long offset = header.getLong(8);
      int length = header.getInt(16);
      if (offset == 0) {
        return Optional.empty();
      }
      ByteBuffer name = ByteBuffer.allocate(Math.max(0, Math.min(length, 1023)));
      channel.read(name, offset);
      return Optional.of(new String(name.array(), 0, name.position(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.of("(unreadable header: " + e.getMessage() + ")");
    }
  }

  /** tmpfs and some network filesystems refuse O_DIRECT; cache mode none needs it. */
  static boolean supportsDirectIo(Path file) {
    try (FileChannel ignored =
        FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
