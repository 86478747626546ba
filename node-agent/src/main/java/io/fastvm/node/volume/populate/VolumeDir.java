package io.fastvm.node.volume.populate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fastvm.contract.volume.PopulateLayout;
import io.fastvm.contract.volume.PopulateResult;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * The files the populator keeps in a Volume's PVC. Only {@code disk.img} is the image; it is only
 * ever replaced by an atomic rename of a complete, synced file, so it is never half-written. The
 * others are dot files:
 *
 * <ul>
 *   <li>{@code .disk.img.part} the download, {@code .disk.img.tmp} a conversion, copy or blank
 *       image being made: removed on failure, and at start (left by a killed run);
 *   <li>{@code .populated} written after the rename: what the image was made from and the result. A
 *       later run of the same invocation (a retried Job) finds it and reports instead of starting
 *       over; {@code disk.img} without it is an image that was never reported done;
 *   <li>{@code .populate.lock} locked while a populator works here: a second one (a replacement pod
 *       started while the first still runs) stops instead of writing the same files.
 * </ul>
 */
final class VolumeDir {

  static final String PART = ".disk.img.part";
  static final String TMP = ".disk.img.tmp";
  static final String MARKER = ".populated";
  static final String MARKER_TMP = ".populated.tmp";
  static final String LOCK = ".populate.lock";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a completed run recorded. */
  record Marker(String source, PopulateResult result) {}

  private final Path dir;

  VolumeDir(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  Path image() {
    return dir.resolve(PopulateLayout.IMAGE_FILE_NAME);
  }

  Path part() {
    return dir.resolve(PART);
  }

  Path tmp() {
    return dir.resolve(TMP);
  }

  /**
   * Locks the folder for this run.
   *
   * @return null when another populator holds the lock
   */
  FileLock lock() throws IOException {
    FileChannel channel =
        FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
      }
      return lock;
    } catch (OverlappingFileLockException e) {
      channel.close();
      return null;
    }
  }

  /** Removes what an unfinished run leaves: never the image or the marker. */
  void removeTemporaries() throws IOException {
    for (String name : List.of(PART, TMP, MARKER_TMP)) {
      Files.deleteIfExists(dir.resolve(name));
    }
  }

  /** Removes temporary files, for a failure path: a failure to do so must not hide the first. */
  void removeTemporariesQuietly() {
    try {
      removeTemporaries();
    } catch (IOException e) {
      // the next run removes them
    }
  }

  Optional<Marker> marker() throws IOException {
    String text;
    try {
      text = Files.readString(dir.resolve(MARKER), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      JsonNode root = JSON.readTree(text);
      JsonNode source = root.get("source");
      JsonNode result = root.get("result");
      if (source == null || !source.isTextual() || result == null || !result.isObject()) {
        throw new IOException("no source or result");
      }
      return Optional.of(
          new Marker(source.asText(), PopulateResult.fromJson(JSON.writeValueAsString(result))));
    } catch (IOException | IllegalArgumentException e) {
      // Unreadable: as if the run never completed. It is written atomically, so this is not a
      // half-written marker but someone else's file; the image gets made again.
      return Optional.empty();
    }
  }

  void deleteMarker() throws IOException {
    Files.deleteIfExists(dir.resolve(MARKER));
  }

  /**
   * Makes {@code file} (complete, in this folder) the image: syncs it, renames it to {@code
   * disk.img} (atomically replacing what was there), syncs the folder.
   */
  void install(Path file) throws IOException {
    force(file);
    Files.move(file, image(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory();
  }

  /** Records a completed run, atomically. */
  void writeMarker(Marker marker) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("source", marker.source());
    root.set("result", JSON.readTree(marker.result().toJson()));
    Path tmp = dir.resolve(MARKER_TMP);
    Files.writeString(tmp, JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    force(tmp);
    Files.move(
        tmp,
        dir.resolve(MARKER),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    forceDirectory();
  }

  /** Free bytes on the PVC, or -1 if the file system does not say. */
  long usableSpace() {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Size of the PVC's file system, or -1. */
  long totalSpace() {
    try {
      return Files.getFileStore(dir).getTotalSpace();
    } catch (IOException e) {
      return -1;
    }
  }

  private static void force(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  /** A rename is durable once the folder is synced. */
  private void forceDirectory() throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
