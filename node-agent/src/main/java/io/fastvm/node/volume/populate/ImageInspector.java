package io.fastvm.node.volume.populate;

import static io.fastvm.node.volume.populate.LocalFailure.text;

import io.fastvm.node.volume.QemuImg;
import io.fastvm.node.volume.QemuImg.ImageInfo;
import io.fastvm.node.volume.QemuImg.QemuImgException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether an image from outside (a download, a copy's source) may become a Volume's
 * content, before anything reads its data: a format fastvm imports, no backing file or external
 * data file (opening it would read another file of the host), metadata qemu-img check accepts.
 */
final class ImageInspector {

  /**
   * Formats a download may have: raw (an ISO is raw too), qcow2, and the single-file formats of
   * other hypervisors (VirtualBox vdi, Hyper-V vhdx and vpc). Not vmdk: its descriptor can name any
   * file as an extent, which conversion would read; nor formats with backing files (qcow, qed).
   */
  static final Set<String> IMPORT_FORMATS = Set.of("raw", "qcow2", "vdi", "vhdx", "vpc");

  private final QemuImg qemuImg;

  ImageInspector(QemuImg qemuImg) {
    this.qemuImg = qemuImg;
  }

  /**
   * A downloaded file's format, guessed from its content (only for a file the populator wrote
   * itself), then inspected as that format.
   */
  ImageInfo inspectDownload(Path file, String what) throws PopulateException, InterruptedException {
    ImageInfo probed;
    try {
      probed = qemuImg.probe(file);
    } catch (IOException e) {
      throw PopulateException.permanent(what + " is not an image qemu-img can read: " + text(e), e);
    }
    if (!IMPORT_FORMATS.contains(probed.format())) {
      throw PopulateException.permanent(
          what
              + " is a "
              + probed.format()
              + " image; fastvm imports raw (and ISO), qcow2, vdi, vhdx and vpc (VHD) images");
    }
    // Read again with the format found given explicitly, as every later step does.
    return inspect(file, probed.format(), what);
  }

  /** An image's header read as {@code format}, refused if it names another file or is broken. */
  ImageInfo inspect(Path image, String format, String what)
      throws PopulateException, InterruptedException {
    ImageInfo info = read(image, format, what);
    Optional<String> external = info.externalFile();
    if (external.isPresent()) {
      throw PopulateException.permanent(
          what
              + " is a "
              + info.format()
              + " image with a "
              + external.get()
              + "; it would read another file, which is refused (make a standalone image with"
              + " qemu-img convert)");
    }
    try {
      qemuImg.check(image, info.format());
    } catch (QemuImgException e) {
      if (e.locked()) {
        throw PopulateException.transientFailure(
            what + " is in use (by a running VM?): " + e.detail());
      }
      throw PopulateException.permanent(what + " is broken: " + text(e));
    } catch (IOException e) {
      throw PopulateException.permanent("cannot check " + what + ": " + text(e), e);
    }
    return info;
  }

  /** An image's header, read as {@code format}. */
  ImageInfo read(Path image, String format, String what)
      throws PopulateException, InterruptedException {
    try {
      return qemuImg.info(image, format);
    } catch (QemuImgException e) {
      if (e.locked()) {
        throw PopulateException.transientFailure(
            what + " is in use (by a running VM?): " + e.detail());
      }
      throw PopulateException.permanent(what + " is not a usable " + format + " image: " + text(e));
    } catch (IOException e) {
      throw PopulateException.permanent("cannot read " + what + ": " + text(e), e);
    }
  }

  /**
   * Refuses an image bigger than the Volume.
   *
   * @param wanted the Volume's virtual size
   * @param asked the size the invocation named (before rounding to sectors), for the message
   */
  static void requireFits(ImageInfo info, long wanted, long asked, String what)
      throws PopulateException {
    if (info.virtualSize() > wanted) {
      throw PopulateException.permanent(
          what
              + " has a virtual size of "
              + info.virtualSize()
              + " bytes, more than the Volume's size of "
              + asked
              + " bytes: make the Volume at least "
              + info.virtualSize()
              + " bytes");
    }
  }
}
