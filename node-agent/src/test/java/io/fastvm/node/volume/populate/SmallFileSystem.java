package io.fastvm.node.volume.populate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a test's folder, to fill a file system for real. Mounting needs root
 * (which the suite has in CI); elsewhere the test skips, saying so. Unmounted by {@link #close()}.
 */
public final class SmallFileSystem implements AutoCloseable {
  private final Path mountPoint;

  private SmallFileSystem(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** Mounts a tmpfs of {@code mib} MiB on {@code mountPoint} (created if missing). */
  public static SmallFileSystem mount(Path mountPoint, int mib) throws IOException {
    String user = TestImages.run("id", "-u").strip();
    Assumptions.assumeTrue(
        user.equals("0"), "mounting a small tmpfs to fill it needs root (uid " + user + ")");
    Files.createDirectories(mountPoint);
    TestImages.run(
        "mount",
        "-t",
        "tmpfs",
        "-o",
        "size=" + mib + "m,mode=0755",
        "tmpfs",
        mountPoint.toString());
    return new SmallFileSystem(mountPoint);
  }

  public Path path() {
    return mountPoint;
  }

  @Override
  public void close() throws IOException {
    TestImages.Result result = TestImages.exec(List.of("umount", mountPoint.toString()));
    if (result.exitCode() != 0) {
      // Busy (a file still open): detach it, so that no mount outlives the test.
      TestImages.run("umount", "-l", mountPoint.toString());
    }
  }
}
