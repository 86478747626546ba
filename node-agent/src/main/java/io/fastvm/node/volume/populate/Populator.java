package io.fastvm.node.volume.populate;

import io.fastvm.contract.volume.PopulateInvocation;
import io.fastvm.contract.volume.PopulateInvocation.Blank;
import io.fastvm.contract.volume.PopulateInvocation.Copy;
import io.fastvm.contract.volume.PopulateInvocation.Http;
import io.fastvm.contract.volume.PopulateResult;
import io.fastvm.node.volume.QemuImg;
import io.fastvm.node.volume.QemuImg.ImageInfo;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Makes a Volume's image for one {@link PopulateInvocation}: blank, downloaded or copied, then
 * grown to the Volume's size. Work happens in temporary files in the Volume's folder, renamed to
 * {@code disk.img} only when complete (see {@link VolumeDir}); on any failure they are removed and
 * an existing {@code disk.img} stays as it was.
 *
 * <p>Peak space: a download already in the wanted format is renamed (about 1x the image); one that
 * is converted exists next to its conversion until that is done (at most about 2x).
 */
public final class Populator {

  private final QemuImg qemuImg;
  private final ImageInspector inspector;
  private final HttpImport http;
  private final ProgressReporter progress;
  private final Consumer<String> log;

  public Populator(
      QemuImg qemuImg, HttpImport http, ProgressReporter progress, Consumer<String> log) {
    this.qemuImg = qemuImg;
    this.inspector = new ImageInspector(qemuImg);
    this.http = http;
    this.progress = progress;
    this.log = log;
  }

  /**
   * Makes the image, or reports the one a previous run of the same invocation made (growing it if
   * the invocation asks for more).
   */
  public PopulateResult populate(PopulateInvocation invocation)
      throws PopulateException, InterruptedException {
    Path dir = invocation.volumeDir();
    if (!Files.isDirectory(dir)) {
      throw PopulateException.permanent(
          "the Volume's folder " + dir + " does not exist (is its PVC mounted?)");
    }
    if (!Files.isWritable(dir)) {
      throw PopulateException.permanent("the Volume's folder " + dir + " is not writable");
    }
    VolumeDir volume = new VolumeDir(dir);
    FileLock lock;
    try {
      lock = volume.lock();
    } catch (IOException e) {
      throw LocalFailure.of(volume, e, 0, "locking " + dir);
    }
    if (lock == null) {
      throw PopulateException.transientFailure(
          "another fastvm-populate is working on " + dir + " (" + VolumeDir.LOCK + " is locked)");
    }
    try {
      volume.removeTemporaries();
      Optional<PopulateResult> previous = previous(volume, invocation);
      if (previous.isPresent()) {
        return previous.get();
      }
      volume.deleteMarker(); // a marker whose image is gone
      return make(volume, invocation);
    } catch (IOException e) {
      throw LocalFailure.of(volume, e, 0, "preparing " + dir);
    } finally {
      volume.removeTemporariesQuietly();
      try {
        lock.acquiredBy().close();
      } catch (IOException e) {
        // the lock goes with the process anyway
      }
    }
  }

  /** The virtual size to make: the Volume's size in whole 512-byte sectors, as qemu-img does. */
  static long wantedSize(PopulateInvocation invocation) {
    return Math.ceilDiv(invocation.sizeBytes(), 512) * 512;
  }

  private PopulateResult make(VolumeDir volume, PopulateInvocation invocation)
      throws PopulateException, InterruptedException {
    String source = invocation.source().describe();
    return switch (invocation.source()) {
      case Blank b -> blank(volume, invocation.format(), wantedSize(invocation), source);
      case Http h -> download(volume, invocation, h, source);
      case Copy c -> copy(volume, invocation, c, source);
    };
  }

  /**
   * A previous run's result when it made this invocation's image: reported again (with fresh sizes:
   * a VM may have written since), after growing the image if the Volume grew.
   */
  private Optional<PopulateResult> previous(VolumeDir volume, PopulateInvocation invocation)
      throws IOException, PopulateException, InterruptedException {
    Optional<VolumeDir.Marker> marker = volume.marker();
    if (marker.isEmpty() || !Files.isRegularFile(volume.image())) {
      return Optional.empty();
    }
    String source = invocation.source().describe();
    VolumeDir.Marker done = marker.get();
    if (!done.source().equals(source) || !done.result().format().equals(invocation.format())) {
      throw PopulateException.permanent(
          volume.dir()
              + " already holds a "
              + done.result().format()
              + " image made from "
              + done.source()
              + ", not a "
              + invocation.format()
              + " image from "
              + source
              + ": a Volume's source and format cannot change");
    }
    String format = invocation.format();
    ImageInfo info = inspector.read(volume.image(), format, "the Volume's image");
    long wanted = wantedSize(invocation);
    if (info.virtualSize() < wanted) {
      log.accept(
          "growing " + volume.image() + " from " + info.virtualSize() + " to " + wanted + " bytes");
      try {
        qemuImg.resize(volume.image(), format, wanted);
      } catch (IOException e) {
        throw LocalFailure.of(volume, e, wanted, "growing " + volume.image());
      }
      info = inspector.read(volume.image(), format, "the Volume's image");
    } else {
      log.accept(volume.image() + " is already complete (" + VolumeDir.MARKER + ")");
    }
    PopulateResult result =
        new PopulateResult(info.virtualSize(), info.actualSize(), format, done.result().sha256());
    if (!result.equals(done.result())) {
      volume.writeMarker(new VolumeDir.Marker(source, result));
    }
    return Optional.of(result);
  }

  private PopulateResult blank(VolumeDir volume, String format, long size, String source)
      throws PopulateException, InterruptedException {
    try {
      qemuImg.create(volume.tmp(), format, size);
    } catch (IOException e) {
      throw LocalFailure.of(volume, e, size, "creating a blank image");
    }
    return install(volume, volume.tmp(), format, source, null);
  }

  private PopulateResult download(
      VolumeDir volume, PopulateInvocation invocation, Http http, String source)
      throws PopulateException, InterruptedException {
    String url = http.url();
    log.accept("downloading " + url);
    HttpImport.Download download;
    try {
      download = this.http.download(http.uri(), http.sha256(), volume.part());
    } catch (HttpImport.WriteFailure e) {
      long needed = e.expectedTotal() >= 0 ? e.expectedTotal() : e.written();
      throw LocalFailure.of(
          volume, e, needed, "writing the download of " + url + " to " + volume.part());
    }
    String what = "the image downloaded from " + url;
    ImageInfo info = inspector.inspectDownload(volume.part(), what);
    long wanted = wantedSize(invocation);
    ImageInspector.requireFits(info, wanted, invocation.sizeBytes(), what);
    String format = invocation.format();
    Path image;
    if (info.format().equals(format)) {
      image = volume.part(); // already what is wanted: renamed, no copy
    } else {
      log.accept("converting " + what + " from " + info.format() + " to " + format);
      convert(volume, volume.part(), info, volume.tmp(), format);
      try {
        Files.delete(volume.part());
      } catch (IOException e) {
        throw LocalFailure.of(volume, e, 0, "removing " + volume.part());
      }
      image = volume.tmp();
    }
    grow(volume, image, format, info.virtualSize(), wanted);
    return install(volume, image, format, source, download.sha256());
  }

  private PopulateResult copy(
      VolumeDir volume, PopulateInvocation invocation, Copy copy, String source)
      throws PopulateException, InterruptedException {
    Path from = copy.sourceImage();
    String what = "the copy's source " + from;
    if (!Files.isRegularFile(from)) {
      throw PopulateException.permanent(
          what + " does not exist (is the source Volume's PVC mounted?)");
    }
    if (!Files.isReadable(from)) {
      throw PopulateException.permanent(what + " is not readable");
    }
    ImageInfo info = inspector.inspect(from, copy.sourceFormat(), what);
    long wanted = wantedSize(invocation);
    ImageInspector.requireFits(info, wanted, invocation.sizeBytes(), what);
    log.accept("copying " + from + " (" + info.format() + ") to " + invocation.format());
    convert(volume, from, info, volume.tmp(), invocation.format());
    grow(volume, volume.tmp(), invocation.format(), info.virtualSize(), wanted);
    return install(volume, volume.tmp(), invocation.format(), source, null);
  }

  private void convert(VolumeDir volume, Path from, ImageInfo info, Path to, String format)
      throws PopulateException, InterruptedException {
    long total = info.virtualSize();
    try {
      qemuImg.convert(from, info.format(), to, format, progress.fractionOf(total));
    } catch (IOException e) {
      throw LocalFailure.of(volume, e, total, "converting " + from + " to " + format);
    }
    progress.finish(total, total);
  }

  private void grow(VolumeDir volume, Path image, String format, long size, long wanted)
      throws PopulateException, InterruptedException {
    if (size >= wanted) {
      return;
    }
    try {
      qemuImg.resize(image, format, wanted);
    } catch (IOException e) {
      throw LocalFailure.of(volume, e, wanted, "growing the image to " + wanted + " bytes");
    }
  }

  /** Renames a complete image to disk.img, records it, and returns the result. */
  private PopulateResult install(
      VolumeDir volume, Path image, String format, String source, String sha256)
      throws PopulateException, InterruptedException {
    try {
      volume.install(image);
    } catch (IOException e) {
      throw LocalFailure.of(volume, e, 0, "renaming " + image + " to " + volume.image());
    }
    ImageInfo info = inspector.read(volume.image(), format, "the new image");
    PopulateResult result =
        new PopulateResult(info.virtualSize(), info.actualSize(), format, sha256);
    try {
      volume.writeMarker(new VolumeDir.Marker(source, result));
    } catch (IOException e) {
      // disk.img is complete; without the marker a later run only makes it again.
      log.accept(
          "could not record the result in " + VolumeDir.MARKER + ": " + LocalFailure.text(e));
    }
    return result;
  }
}
