package io.fastvm.node.guest;

import io.fastvm.node.process.Executables;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds a Debian root disk from Debian packages: debootstrap (minbase), the recipe's files and
 * packages (apt-get inside the root), its commands, then {@code mkfs.ext4 -d} turns the root into
 * an image without mounting anything. Like a cloud image it has no machine-id and no SSH host keys.
 * Needs root (debootstrap and chroot) and the Debian mirror.
 *
 * <p>Cached under the cache root by a digest of the recipe: built once, then found at once. A build
 * happens in a folder of its own that is renamed to its final name only when complete, so no one
 * ever sees half a disk; a build that died leaves that folder, removed by the next build. Packages
 * come from the mirror as of the build: a cached disk keeps the versions it was built with until
 * the recipe changes.
 */
public final class DebianDiskBuilder {

  /** Bump when what the builder does changes, to invalidate caches. */
  private static final String FORMAT = "fastvm-debian-disk-2";

  private static final String IMAGE = "disk.img";

  /** vmlinuz-VERSION, VERSION ending in the flavour: vmlinuz-6.1.0-50-cloud-amd64. */
  private static final Pattern KERNEL = Pattern.compile("vmlinuz-(\\d+\\.\\d+\\.\\d+-\\d+-(.+))");

  private static final Pattern PARTIAL = Pattern.compile(".+\\.partial-(\\d+)");
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(30);
  private static final List<String> TOOLS =
      List.of("debootstrap", "unshare", "chroot", "mkfs.ext4");

  private final Path cacheRoot;

  public DebianDiskBuilder(Path cacheRoot) {
    this.cacheRoot = cacheRoot;
  }

  /** Why no disk can be built here (a missing tool, not root), or empty when one can. */
  public static Optional<String> missingPrerequisite() {
    for (String tool : TOOLS) {
      if (Executables.find(tool, "FASTVM_NO_OVERRIDE").isEmpty()) {
        return Optional.of(
            tool + " is not installed (Debian packages debootstrap, util-linux, e2fsprogs)");
      }
    }
    try {
      if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
        return Optional.of("building a Debian root disk needs root (debootstrap, chroot)");
      }
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.of("cannot tell whether this process runs as root: " + e.getMessage());
    }
    return Optional.empty();
  }

  /** Builds the disk, or finds it in the cache. */
  public DebianDisk build(DebianDiskRecipe recipe) throws IOException {
    String name = "debian-" + recipe.suite() + "-" + recipe.digest(FORMAT);
    Path dir = cacheRoot.resolve(name);
    if (!Files.isDirectory(dir)) {
      Optional<String> missing = missingPrerequisite();
      if (missing.isPresent()) {
        throw new IOException("cannot build " + dir + ": " + missing.get());
      }
      Files.createDirectories(cacheRoot);
      removeAbandoned();
      long pid = ProcessHandle.current().pid();
      Path staging = cacheRoot.resolve(name + ".partial-" + pid);
      Path log = cacheRoot.resolve(name + ".log-" + pid);
      try {
        deleteTree(staging);
        Files.createDirectories(staging);
        Files.deleteIfExists(log);
        new RootBuild(recipe, staging.resolve("root"), new IsolatedSteps(log, STEP_TIMEOUT)).run();
        exportKernels(staging.resolve("root"), staging);
        makeImage(staging.resolve("root"), staging.resolve(IMAGE), recipe.diskBytes(), log);
        deleteTree(staging.resolve("root"));
        try {
          Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileSystemException e) {
          // Another build of the same recipe finished first (rename(2) says ENOTEMPTY, which Java
          // reports as a plain FileSystemException for directories): use that one.
          if (!Files.isDirectory(dir)) {
            throw e;
          }
        }
        Files.deleteIfExists(log);
      } finally {
        deleteTree(staging);
      }
    }
    return read(dir, recipe);
  }

  private static DebianDisk read(Path dir, DebianDiskRecipe recipe) throws IOException {
    Map<String, GuestImage> kernels = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Matcher m = KERNEL.matcher(file.getFileName().toString());
        if (m.matches() && recipe.kernelFlavours().contains(m.group(2))) {
          Path initrd = dir.resolve("initrd.img-" + m.group(1));
          kernels.put(m.group(2), new GuestImage(file, initrd, recipe.cmdline(), m.group(1)));
        }
      }
    }
    Path image = dir.resolve(IMAGE);
    if (!Files.isRegularFile(image) || !kernels.keySet().containsAll(recipe.kernelFlavours())) {
      throw new IOException(
          dir + " is incomplete (kernels " + kernels.keySet() + "): delete it to build it again");
    }
    return new DebianDisk(image, Files.size(image), kernels);
  }

  /** Copies /boot/vmlinuz-VERSION and /boot/initrd.img-VERSION out of the root. */
  private static void exportKernels(Path root, Path target) throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("boot"))) {
      for (Path file : files.toList()) {
        String fileName = file.getFileName().toString();
        if (KERNEL.matcher(fileName).matches() && Files.isRegularFile(file)) {
          String version = fileName.substring("vmlinuz-".length());
          Path initrd = root.resolve("boot/initrd.img-" + version);
          if (!Files.isRegularFile(initrd)) {
            throw new IOException("kernel " + version + " has no initramfs in the root");
          }
          Files.copy(file, target.resolve(fileName));
          Files.copy(initrd, target.resolve("initrd.img-" + version));
        }
      }
    }
  }

  /** One ext4 file system filled from {@code root} (owners, modes and links kept; no mount). */
  private static void makeImage(Path root, Path image, long bytes, Path log) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(bytes);
    }
    new IsolatedSteps(log, STEP_TIMEOUT)
        .run(
            List.of(
                "mkfs.ext4", "-q", "-F", "-L", "root", "-d", root.toString(), image.toString()));
  }

  /** Removes what builds that died left behind (their process is gone). */
  private void removeAbandoned() throws IOException {
    List<Path> abandoned = new ArrayList<>();
    try (Stream<Path> files = Files.list(cacheRoot)) {
      for (Path file : files.toList()) {
        Matcher m = PARTIAL.matcher(file.getFileName().toString());
        if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
          abandoned.add(file);
        }
      }
    }
    for (Path dir : abandoned) {
      deleteTree(dir);
    }
  }

  /**
   * Deletes {@code dir} (links are removed, never followed), refusing when anything is mounted
   * below it: the build mounts only inside namespaces, so a mount here means something else is
   * wrong, and deleting through it could remove the host's files.
   */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    String prefix = dir.toAbsolutePath().normalize() + "/";
    for (String line :
        Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String[] fields = line.split(" ");
      if (fields.length > 4 && (fields[4] + "/").startsWith(prefix)) {
        throw new IOException(
            "not deleting " + dir + ": " + fields[4] + " is mounted below it (unmount it first)");
      }
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
