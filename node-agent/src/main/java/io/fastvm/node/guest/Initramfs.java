package io.fastvm.node.guest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/** An initramfs: a gzip-compressed newc cpio archive, built in memory order, no root needed. */
public final class Initramfs {

  private record Entry(String path, int mode, byte[] content, Path source) {}

  private final List<Entry> entries = new ArrayList<>();
  private final Set<String> dirs = new LinkedHashSet<>();

  /** Adds a file with {@code content}; parent folders are added as needed. */
  public Initramfs file(String path, byte[] content, int mode) {
    parents(path);
    entries.add(new Entry(path, mode, content, null));
    return this;
  }

  /** Adds a file copied from {@code source}. */
  public Initramfs copy(String path, Path source, int mode) {
    parents(path);
    entries.add(new Entry(path, mode, null, source));
    return this;
  }

  public Initramfs dir(String path) {
    parents(path + "/x");
    return this;
  }

  private void parents(String path) {
    String[] parts = path.split("/");
    StringBuilder dir = new StringBuilder();
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i].isEmpty()) {
        continue;
      }
      if (dir.length() > 0) {
        dir.append('/');
      }
      dir.append(parts[i]);
      dirs.add(dir.toString());
    }
  }

  public void writeTo(Path target) throws IOException {
    try (OutputStream file = Files.newOutputStream(target);
        GZIPOutputStream gzip = new GZIPOutputStream(file, 1 << 16);
        CpioArchiveOutputStream cpio =
            new CpioArchiveOutputStream(gzip, CpioConstants.FORMAT_NEW)) {
      long inode = 1;
      for (String dir : dirs) {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, dir);
        e.setMode(CpioConstants.C_ISDIR | 0755);
        e.setInode(inode++);
        e.setNumberOfLinks(2);
        cpio.putArchiveEntry(e);
        cpio.closeArchiveEntry();
      }
      for (Entry entry : entries) {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, entry.path());
        e.setInode(inode++);
        e.setNumberOfLinks(1);
        e.setMode(CpioConstants.C_ISREG | entry.mode());
        byte[] data =
            entry.content() != null ? entry.content() : Files.readAllBytes(entry.source());
        e.setSize(data.length);
        cpio.putArchiveEntry(e);
        cpio.write(data);
        cpio.closeArchiveEntry();
      }
      cpio.finish();
    }
  }
}
