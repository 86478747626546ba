package io.fastvm.node.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The steps that turn an empty folder into the Debian root a {@link DebianDiskRecipe} asks for. */
final class RootBuild {

  /** Documentation is of no use in a test guest and a quarter of its size. */
  private static final String NO_DOCS =
      """
      path-exclude=/usr/share/doc/*
      path-exclude=/usr/share/man/*
      path-exclude=/usr/share/info/*
      path-exclude=/usr/share/locale/*
      path-include=/usr/share/locale/locale.alias
      """;

  private static final String POLICY_RC_D = "usr/sbin/policy-rc.d";

  private final DebianDiskRecipe recipe;
  private final Path root;
  private final IsolatedSteps steps;

  RootBuild(DebianDiskRecipe recipe, Path root, IsolatedSteps steps) {
    this.recipe = recipe;
    this.root = root;
    this.steps = steps;
  }

  void run() throws IOException {
    steps.run(
        List.of(
            "debootstrap",
            "--variant=minbase",
            "--components=main",
            recipe.suite(),
            root.toString(),
            recipe.mirror()));
    // Debian's way to keep package scripts from starting daemons while the image is built.
    write(POLICY_RC_D, 0755, "#!/bin/sh\nexit 101\n");
    write("etc/dpkg/dpkg.cfg.d/01-fastvm-no-docs", 0644, NO_DOCS);
    // Only the listed modules: the default (most) makes the generic kernel's initramfs 35 MB.
    write("etc/initramfs-tools/conf.d/fastvm-modules", 0644, "MODULES=list\n");
    write(
        "usr/share/initramfs-tools/modules.d/fastvm",
        0644,
        String.join("\n", recipe.initramfsModules()) + "\n");
    for (DebianDiskRecipe.File file : recipe.files()) {
      write(file.path(), file.mode(), file.content());
    }
    // The mirror is reached from inside the root with the host's resolver.
    Path resolver = root.resolve("etc/resolv.conf");
    write("etc/resolv.conf", 0644, Files.readString(Path.of("/etc/resolv.conf")));

    steps.inRoot(root, List.of("apt-get", "update"));
    List<String> install =
        new ArrayList<>(
            List.of(
                "apt-get",
                "install",
                "--yes",
                "--no-install-recommends",
                "-o",
                "Dpkg::Options::=--force-confold"));
    recipe.kernelFlavours().forEach(flavour -> install.add("linux-image-" + flavour));
    install.addAll(recipe.packages());
    steps.inRoot(root, install);
    for (List<String> command : recipe.commands()) {
      steps.inRoot(root, command);
    }
    steps.inRoot(root, List.of("apt-get", "clean"));

    // What must not be shared by every guest made from the image, or is the build's own.
    deleteChildren("var/lib/apt/lists", name -> !name.equals("partial"));
    deleteChildren("etc/ssh", name -> name.startsWith("ssh_host_"));
    write("etc/machine-id", 0444, "");
    Files.deleteIfExists(root.resolve("var/lib/dbus/machine-id"));
    write("etc/hostname", 0644, "localhost\n");
    // The host's resolver goes; a link a package put in its place (resolvconf's) stays.
    if (!Files.isSymbolicLink(resolver)) {
      Files.deleteIfExists(resolver);
    }
    Files.deleteIfExists(root.resolve(POLICY_RC_D));
  }

  /**
   * Writes a file of the root. A link in its place is replaced, never followed: one pointing to an
   * absolute path would write on the host.
   */
  private void write(String path, int mode, String content) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    if (!file.getParent().toRealPath().startsWith(root.toRealPath())) {
      throw new IOException(path + " leads out of the root " + root);
    }
    Files.deleteIfExists(file);
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, permissions(mode));
  }

  private void deleteChildren(String dir, java.util.function.Predicate<String> which)
      throws IOException {
    Path folder = root.resolve(dir);
    if (!Files.isDirectory(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.toList()) {
        if (which.test(file.getFileName().toString())
            && !Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.delete(file);
        }
      }
    }
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (0400 >> i)) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
  }
}
