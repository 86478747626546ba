package io.fastvm.node.volume;

import com.sun.nio.file.ExtendedOpenOption;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fastvm.api.v1alpha1.CloneMode;
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
    Optional<VolumeSpec> manifest = manifests.volume(volumeName);
    Optional<String> base = manifest.flatMap(VolumeResolver::overlayBase);
    if (base.isPresent()) {
      return resolveOverlay(volumeName, manifest.get(), base.get(), user, writable, problems);
    }
    Optional<Path> file = boundFile(volumeName, user, problems);
    if (file.isEmpty() || !accessible(volumeName, file.get(), user, writable, problems)) {
      return Optional.empty();
    }
    Optional<VolumeFormat> format = format(volumeName, manifest, file.get(), user, problems);
    if (format.isEmpty()) {
      return Optional.empty();
    }
    if (format.get() == VolumeFormat.QCOW2) {
      // A qcow2 header may name any file as its backing file: QEMU would open it and the guest
      // could read it. Backing chains (overlay clones) are set up explicitly, never from a header.
      Optional<String> backing = backingFile(file.get());
      if (backing.isPresent()) {
        problems.add(
            user
                + ": Volume "
                + volumeName
                + ": "
                + file.get()
                + " is a qcow2 overlay with backing file "
                + backing.get()
                + "; only an overlay clone Volume (source.volume.mode overlay) may have one, backed"
                + " by its source Volume (qemu-img convert it to a standalone image)");
        return Optional.empty();
      }
    }
    ImageChange grow = writable ? growth(manifest, file.get(), format.get()).orElse(null) : null;
    return Optional.of(
        new ResolvedVolume(
            volumeName, file.get(), format.get(), supportsDirectIo(file.get()), null, grow));
  }

  /**
   * An overlay clone: a qcow2 image backed by its source Volume's image, which must be bound too
   * and is opened read-only. The launcher makes the overlay on the first start (its PVC starts
   * empty) and, after that, accepts its backing file only when it is that very source image.
   */
  private Optional<ResolvedVolume> resolveOverlay(
      String volumeName,
      VolumeSpec spec,
      String baseName,
      String user,
      boolean writable,
      List<String> problems) {
    String what = user + ": Volume " + volumeName + " (an overlay clone of " + baseName + ")";
    if (manifests.volume(baseName).flatMap(VolumeResolver::overlayBase).isPresent()) {
      problems.add(what + ": its source is itself an overlay clone, which is not supported");
      return Optional.empty();
    }
    if (!bindings.containsKey(baseName)) {
      problems.add(what + ": bind its source too (--volume=" + baseName + "=PATH)");
      return Optional.empty();
    }
    Optional<ResolvedVolume> base = resolve(baseName, what + ", its source", false, problems);
    Optional<Path> file = boundFile(volumeName, user, problems, true);
    if (base.isEmpty() || file.isEmpty()) {
      return Optional.empty();
    }
    long size = bytes(spec.size());
    if (!Files.exists(file.get())) {
      if (!writable) {
        problems.add(
            what + ": " + file.get() + " does not exist yet, and a read-only disk cannot make it");
        return Optional.empty();
      }
      Path dir = file.get().toAbsolutePath().getParent();
      if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
        problems.add(what + ": cannot make its image in " + dir + " (not a writable folder)");
        return Optional.empty();
      }
      ImageChange create =
          new ImageChange.CreateOverlay(file.get(), base.get().file(), base.get().format(), size);
      return Optional.of(
          new ResolvedVolume(
              volumeName,
              file.get(),
              VolumeFormat.QCOW2,
              base.get().directIo(),
              base.get(),
              create));
    }
    if (!accessible(volumeName, file.get(), user, writable, problems)) {
      return Optional.empty();
    }
    if (!hasQcow2Header(file.get())) {
      problems.add(what + ": " + file.get() + " is not a qcow2 image");
      return Optional.empty();
    }
    Optional<String> backing = backingFile(file.get());
    Path expected = base.get().file().toAbsolutePath().normalize();
    if (backing.isEmpty() || !namedFile(file.get(), backing.get()).equals(expected)) {
      problems.add(
          what
              + ": "
              + file.get()
              + (backing.isEmpty()
                  ? " has no backing file"
                  : " is backed by " + backing.get() + ", not by its source's image " + expected));
      return Optional.empty();
    }
    ImageChange grow =
        writable ? growth(Optional.of(spec), file.get(), VolumeFormat.QCOW2).orElse(null) : null;
    return Optional.of(
        new ResolvedVolume(
            volumeName,
            file.get(),
            VolumeFormat.QCOW2,
            supportsDirectIo(file.get()),
            base.get(),
            grow));
  }

  /**
   * The file a qcow2 header's backing name means: absolute, or relative to the overlay's folder.
   */
  private static Path namedFile(Path overlay, String backingName) {
    try {
      Path named = Path.of(backingName);
      Path dir = overlay.toAbsolutePath().getParent();
      return (named.isAbsolute() ? named : dir.resolve(named)).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      return Path.of("/nonexistent");
    }
  }

  private Optional<Path> boundFile(String volumeName, String user, List<String> problems) {
    return boundFile(volumeName, user, problems, false);
  }

  /**
   * The image file bound to a Volume: the path itself, or {@link #IMAGE_FILE_NAME} in a bound
   * folder; with {@code mayBeMissing} also a file that does not exist yet.
   */
  private Optional<Path> boundFile(
      String volumeName, String user, List<String> problems, boolean mayBeMissing) {
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
    if (!mayBeMissing && !Files.isRegularFile(file)) {
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
    return Optional.of(file);
  }

  private static boolean accessible(
      String volumeName, Path file, String user, boolean writable, List<String> problems) {
    if (!Files.isReadable(file) || (writable && !Files.isWritable(file))) {
      problems.add(
          user
              + ": Volume "
              + volumeName
              + ": file "
              + file
              + " is not "
              + (writable ? "readable and writable" : "readable"));
      return false;
    }
    return true;
  }

  private static Optional<VolumeFormat> format(
      String volumeName,
      Optional<VolumeSpec> manifest,
      Path file,
      String user,
      List<String> problems) {
    boolean qcow2Header = hasQcow2Header(file);
    if (manifest.isEmpty()) {
      // A local file without a Volume manifest: its header tells. Raw is the safe reading for
      // anything else (ISOs, kernels), since it interprets nothing in the file.
      return Optional.of(qcow2Header ? VolumeFormat.QCOW2 : VolumeFormat.RAW);
    }
    VolumeFormat format = manifest.get().effectiveFormat();
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
    return Optional.of(format);
  }

  /** A Volume whose spec.size grew past its image's virtual size grows before QEMU opens it. */
  private static Optional<ImageChange> growth(
      Optional<VolumeSpec> manifest, Path file, VolumeFormat format) {
    if (manifest.isEmpty() || manifest.get().size() == null) {
      return Optional.empty();
    }
    long wanted = bytes(manifest.get().size());
    long now = virtualSize(file, format);
    return wanted > now && now >= 0
        ? Optional.of(new ImageChange.Grow(file, format, wanted))
        : Optional.empty();
  }

  private static Optional<String> overlayBase(VolumeSpec spec) {
    var clone = spec.source() == null ? null : spec.source().volume();
    return clone != null && clone.mode() == CloneMode.OVERLAY
        ? Optional.of(clone.name())
        : Optional.empty();
  }

  static long bytes(String quantity) {
    return Quantity.getAmountInBytes(new Quantity(quantity))
        .setScale(0, java.math.RoundingMode.CEILING)
        .longValueExact();
  }

  /**
   * The size the guest sees: a qcow2 header's size field (big-endian, byte 24), a raw file's
   * length; -1 when unreadable.
   */
  static long virtualSize(Path file, VolumeFormat format) {
    try {
      if (format == VolumeFormat.RAW) {
        return Files.size(file);
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer header = ByteBuffer.allocate(32);
        channel.read(header, 0);
        return header.position() < 32 ? -1 : header.getLong(24);
      }
    } catch (IOException e) {
      return -1;
    }
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
