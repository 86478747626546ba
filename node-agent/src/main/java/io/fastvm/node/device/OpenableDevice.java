package io.fastvm.node.device;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A character device is healthy when it exists and opens for reading and writing, as QEMU will open
 * it ({@code /dev/net/tun}, {@code /dev/vhost-net}). Opening either does nothing by itself: the tap
 * or vhost instance only comes with an ioctl.
 */
public record OpenableDevice(Path path) implements DeviceHealth {

  @Override
  public Verdict check() {
    if (!Files.exists(path)) {
      return Verdict.unhealthy(path + " does not exist");
    }
    try (FileChannel channel =
        FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return Verdict.healthy(path + " opens read-write");
    } catch (IOException | UnsupportedOperationException e) {
      return Verdict.unhealthy(path + " does not open read-write: " + e.getMessage());
    }
  }
}
