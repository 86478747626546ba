package io.fastvm.node.guest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a Debian root disk built with debootstrap is made of (see {@link DebianDiskBuilder}).
 *
 * @param suite Debian suite, e.g. {@code bookworm}
 * @param mirror Debian mirror URL
 * @param kernelFlavours kernels to install and boot directly ({@code linux-image-FLAVOUR}: {@link
 *     DebianKernel#CLOUD}, {@link DebianKernel#GENERIC})
 * @param initramfsModules the only modules the initramfs gets (with their dependencies): what it
 *     needs to mount the root, which keeps it small and quick to load under TCG
 * @param packages further packages, installed without their recommendations
 * @param files files written into the root before the packages are installed
 * @param commands run in the root after the packages are installed, each without a shell
 * @param diskGiB size of the disk (one ext4 file system, no partition table)
 * @param cmdline kernel command line for direct kernel boot with the disk as the first virtio disk
 */
public record DebianDiskRecipe(
    String suite,
    String mirror,
    List<String> kernelFlavours,
    List<String> initramfsModules,
    List<String> packages,
    List<File> files,
    List<List<String>> commands,
    int diskGiB,
    String cmdline) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]*");
  private static final Pattern MODULE = Pattern.compile("[a-z0-9_-]+");
  private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._@+-]+(/[A-Za-z0-9._@+-]+)*");

  /**
   * A file of the root.
   *
   * @param path relative to the root, e.g. {@code etc/hostname}
   */
  public record File(String path, int mode, String content) {
    public File {
      if (!PATH.matcher(path).matches() || List.of(path.split("/")).contains("..")) {
        throw new IllegalArgumentException("not a relative path inside the root: " + path);
      }
    }
  }

  public DebianDiskRecipe {
    kernelFlavours = List.copyOf(kernelFlavours);
    initramfsModules = List.copyOf(initramfsModules);
    packages = List.copyOf(packages);
    files = List.copyOf(files);
    commands = commands.stream().map(List::copyOf).toList();
    // Names reach debootstrap and apt-get as arguments: an option there would change the build.
    for (String name : concat(List.of(suite), kernelFlavours, packages)) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("not a Debian package or suite name: " + name);
      }
    }
    for (String module : initramfsModules) {
      if (!MODULE.matcher(module).matches()) {
        throw new IllegalArgumentException("not a kernel module name: " + module);
      }
    }
    if (!mirror.matches("https?://[A-Za-z0-9.:/_-]+")) {
      throw new IllegalArgumentException("not a mirror URL: " + mirror);
    }
    if (diskGiB < 1) {
      throw new IllegalArgumentException("diskGiB must be at least 1");
    }
  }

  public long diskBytes() {
    return (long) diskGiB << 30;
  }

  /** A digest of everything in the recipe, to name its cache entry. */
  String digest(String format) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      update(sha, format);
      update(sha, suite);
      update(sha, mirror);
      update(sha, String.join(",", kernelFlavours));
      update(sha, String.join(",", initramfsModules));
      update(sha, String.join(",", packages));
      for (File file : files) {
        update(sha, file.path());
        update(sha, Integer.toOctalString(file.mode()));
        update(sha, file.content());
      }
      for (List<String> command : commands) {
        update(sha, String.join("\u0001", command));
      }
      update(sha, String.valueOf(diskGiB));
      update(sha, cmdline);
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest sha, String text) {
    sha.update(text.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
  }
}
