package io.fastvm.node.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An installed Debian kernel: {@code /boot/vmlinuz-<version>} and {@code /lib/modules/<version>}.
 *
 * @param flavour {@code amd64} (generic: AHCI, SCSI, e1000, 8139cp) or {@code cloud-amd64} (virtio
 *     only, smaller)
 */
public record DebianKernel(String version, String flavour, Path image, Path modulesDir) {

  public static final String GENERIC = "amd64";
  public static final String CLOUD = "cloud-amd64";

  private static final Pattern VERSION =
      Pattern.compile("vmlinuz-(\\d+)\\.(\\d+)\\.(\\d+)-(\\d+)-(.+)");

  /** The newest installed kernel of a flavour (Debian package linux-image-FLAVOUR). */
  public static Optional<DebianKernel> newest(String flavour) {
    return newest(Path.of("/boot"), Path.of("/lib/modules"), flavour);
  }

  static Optional<DebianKernel> newest(Path boot, Path modulesRoot, String flavour) {
    try (Stream<Path> files = Files.list(boot)) {
      return files
          .map(p -> VERSION.matcher(p.getFileName().toString()))
          .filter(Matcher::matches)
          .filter(m -> m.group(5).equals(flavour))
          .max(
              Comparator.<Matcher>comparingInt(m -> Integer.parseInt(m.group(1)))
                  .thenComparingInt(m -> Integer.parseInt(m.group(2)))
                  .thenComparingInt(m -> Integer.parseInt(m.group(3)))
                  .thenComparingInt(m -> Integer.parseInt(m.group(4))))
          .map(
              m -> {
                String version = m.group().substring("vmlinuz-".length());
                return new DebianKernel(
                    version, flavour, boot.resolve(m.group()), modulesRoot.resolve(version));
              })
          .filter(k -> Files.isReadable(k.image()) && Files.isDirectory(k.modulesDir()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
