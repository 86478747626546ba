package io.fastvm.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** XDG base directories for {@code fastvm run}'s state and sockets. */
final class LocalDirs {
  private LocalDirs() {}

  static Path state() {
    String xdg = System.getenv("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "fastvm");
    }
    return Path.of(System.getProperty("user.home"), ".local", "state", "fastvm");
  }

  /**
   * Short paths: unix socket paths must stay under 108 bytes. {@code XDG_RUNTIME_DIR} is private to
   * the user by definition; the fallback in the shared /tmp is made private here, and refused when
   * someone else made it first (they could swap the sockets or read the cloud-init seed).
   */
  static Path runtime() throws IOException {
    String xdg = System.getenv("XDG_RUNTIME_DIR");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "fastvm");
    }
    Path dir = Path.of("/tmp", "fastvm-" + new com.sun.security.auth.module.UnixSystem().getUid());
    return privateDirectory(dir);
  }

  static Path privateDirectory(Path dir) throws IOException {
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rwx------");
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(ownerOnly));
    } catch (FileAlreadyExistsException e) {
      // Checked below, without following a symbolic link someone may have put there.
    }
    PosixFileAttributes attributes =
        Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    String me = System.getProperty("user.name");
    if (!attributes.isDirectory() || !attributes.owner().getName().equals(me)) {
      throw new IOException(
          dir
              + " must be a directory owned by "
              + me
              + " (it holds the VM's sockets); remove it or set XDG_RUNTIME_DIR");
    }
    if (!attributes.permissions().equals(ownerOnly)) {
      // Ours, made by an older fastvm with the default umask: make it private.
      Files.setPosixFilePermissions(dir, ownerOnly);
    }
    return dir;
  }
}
