package io.fastvm.node.guest;

import io.fastvm.node.launcher.Launcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds tiny Linux guests from installed Debian packages: a kernel ({@code linux-image-*}) and a
 * busybox initramfs ({@code busybox-static}) with the modules the guest needs and an init script
 * that reports what the guest sees. Results are cached by a digest of all inputs, so a guest is
 * built once per change; concurrent builders never see a half-written file.
 */
public final class GuestBuilder {

  /** Bump when the layout of the initramfs changes, to invalidate caches. */
  private static final String FORMAT = "fastvm-guest-1";

  private static final Path BUSYBOX = Path.of("/bin/busybox");

  private final Path cacheRoot;

  public GuestBuilder(Path cacheRoot) {
    this.cacheRoot = cacheRoot;
  }

  /** $FASTVM_CACHE_DIR/guests, $XDG_CACHE_HOME/fastvm/guests or ~/.cache/fastvm/guests. */
  public static Path defaultCacheRoot() {
    Path cache = Launcher.defaultCacheDir();
    if (cache == null) {
      throw new IllegalStateException(
          "no cache folder for test guests: set FASTVM_CACHE_DIR (no home directory)");
    }
    return cache.resolve("guests");
  }

  /**
   * Builds (or finds in the cache) the guest.
   *
   * @throws IOException when a package is missing (the message names it) or writing fails
   */
  public GuestImage build(GuestRecipe recipe) throws IOException {
    DebianKernel kernel =
        recipe.flavours().stream()
            .map(DebianKernel::newest)
            .flatMap(Optional::stream)
            .findFirst()
            .orElseThrow(
                () ->
                    new IOException(
                        "no Debian kernel of flavour "
                            + String.join(" or ", recipe.flavours())
                            + " is installed (apt-get install linux-image-"
                            + recipe.flavours().get(0)
                            + ")"));
    if (!Files.isExecutable(BUSYBOX)) {
      throw new IOException("busybox is not installed (apt-get install busybox-static)");
    }
    KernelModules modules = KernelModules.read(kernel.modulesDir());
    List<String> modulePaths;
    try {
      modulePaths = modules.resolve(recipe.modules());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    String init = initScript(recipe.settings());
    String key = digest(recipe, kernel, modulePaths, init);
    Path dir = cacheRoot.resolve(kernel.flavour() + "-" + key.substring(0, 16));
    Path initrd = dir.resolve("initrd.img");
    if (!Files.isRegularFile(initrd)) {
      Files.createDirectories(dir);
      Initramfs image = new Initramfs();
      image.copy("bin/busybox", BUSYBOX, 0755);
      image.file("init", init.getBytes(StandardCharsets.UTF_8), 0755);
      image.file("etc/udhcpc.script", resource("udhcpc.script"), 0755);
      image.file(
          "etc/modules.order",
          (String.join("\n", modulePaths) + "\n").getBytes(StandardCharsets.UTF_8),
          0644);
      for (String module : modulePaths) {
        image.copy("lib/modules/" + module, kernel.modulesDir().resolve(module), 0644);
      }
      image.dir("etc/acpi").dir("tmp").dir("proc").dir("sys").dir("dev").dir("root");
      Path tmp = Files.createTempFile(dir, "initrd", ".tmp");
      try {
        image.writeTo(tmp);
        Files.move(
            tmp, initrd, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return new GuestImage(kernel.image(), initrd, recipe.cmdline(), kernel.version());
  }

  /** The init script: the GUEST_* settings, then the fixed script text. */
  static String initScript(Map<String, String> settings) {
    String script = new String(resource("init.sh"), StandardCharsets.UTF_8);
    StringBuilder header = new StringBuilder();
    int firstLineEnd = script.indexOf('\n') + 1;
    header.append(script, 0, firstLineEnd);
    settings.forEach(
        (k, v) -> {
          if (!k.matches("GUEST_[A-Z_]+")) {
            throw new IllegalArgumentException("not a guest setting: " + k);
          }
          header.append(k).append("='").append(v.replace("'", "'\\''")).append("'\n");
        });
    return header + script.substring(firstLineEnd);
  }

  static byte[] resource(String name) {
    try (InputStream in = GuestBuilder.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String digest(
      GuestRecipe recipe, DebianKernel kernel, List<String> modules, String init)
      throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      update(sha, FORMAT);
      update(sha, kernel.version());
      update(sha, fileId(kernel.image()));
      update(sha, fileId(BUSYBOX));
      update(sha, String.join(",", modules));
      update(sha, init);
      update(sha, new String(resource("udhcpc.script"), StandardCharsets.UTF_8));
      update(sha, recipe.cmdline());
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String fileId(Path file) throws IOException {
    return file + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
  }

  private static void update(MessageDigest sha, String text) {
    sha.update(text.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
  }
}
