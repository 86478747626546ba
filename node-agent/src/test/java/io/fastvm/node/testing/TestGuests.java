package io.fastvm.node.testing;

import io.fastvm.node.guest.DebianKernel;
import io.fastvm.node.guest.GuestBuilder;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.guest.GuestRecipe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Guests for tests, built from Debian packages on first use and cached (by a digest of their
 * inputs) under {@link GuestBuilder#defaultCacheRoot()}. Every guest reports what it sees on its
 * serial line as {@code FASTVM-GUEST key=value} lines and ends with {@code FASTVM-GUEST ready}.
 *
 * <p>Other modules' tests use these through node-agent's test-jar: the operator's contract test
 * boots {@link #kernelBootGuest()}, the console tests {@link #bannerGuest(String)}.
 *
 * <p>Disk images returned here are shared cache files: attach them read-only, or copy them ({@link
 * #copyTo}) before attaching them writable.
 */
public final class TestGuests {
  private TestGuests() {}

  /** Modules of the generic kernel the test guests load (dependencies are added). */
  public static final List<String> MODULES =
      List.of(
          "virtio_pci",
          "virtio_blk",
          "virtio_scsi",
          "virtio_net",
          "virtio_console",
          "ahci",
          "sd_mod",
          "sr_mod",
          "e1000",
          "8139cp",
          "button",
          "evdev",
          "efivarfs");

  /** The line every test guest prints once it has reported everything. */
  public static final String READY = "FASTVM-GUEST ready";

  private static GuestRecipe recipe(Map<String, String> settings) {
    return new GuestRecipe(
        List.of(DebianKernel.GENERIC), MODULES, settings, GuestRecipe.DEFAULT_CMDLINE);
  }

  private static GuestImage build(GuestRecipe recipe) throws IOException {
    return new GuestBuilder(GuestBuilder.defaultCacheRoot()).build(recipe);
  }

  /** Generic kernel + busybox; powers off on the ACPI power button. */
  public static GuestImage kernelBootGuest() throws IOException {
    return build(recipe(Map.of("GUEST_POWER_BUTTON", "acpi")));
  }

  /** Like {@link #kernelBootGuest()}, but ignores the power button (for hard-stop tests). */
  public static GuestImage ignoringPowerButtonGuest() throws IOException {
    return build(recipe(Map.of("GUEST_POWER_BUTTON", "ignore")));
  }

  /** Like {@link #kernelBootGuest()}, with a shell on the serial console. */
  public static GuestImage interactiveGuest() throws IOException {
    return build(recipe(Map.of("GUEST_POWER_BUTTON", "acpi", "GUEST_INTERACTIVE", "yes")));
  }

  /**
   * Shows {@code text} (1 to 6 letters, digits or dashes) in large block letters on its screen (the
   * VGA text console, also with QXL), for screenshot tests; reports {@code FASTVM-GUEST banner
   * shown} on the serial line once it is there.
   */
  public static GuestImage bannerGuest(String text) throws IOException {
    return build(
        recipe(Map.of("GUEST_POWER_BUTTON", "acpi", "GUEST_BANNER", BlockLetters.render(text))));
  }

  /**
   * A raw disk image (GPT, one EFI system partition) that boots a {@link #kernelBootGuest()} with
   * systemd-boot (not signed) under UEFI, attached as the one virtio disk. The guest reports its
   * own UEFI variable ({@code efivar=absent}, then {@code efivar-written=VALUE}; on later boots
   * with the same variable store {@code efivar=VALUE}).
   */
  public static Path uefiDisk() throws IOException {
    GuestImage guest = build(recipe(Map.of("GUEST_POWER_BUTTON", "acpi", "GUEST_EFIVAR", "yes")));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("EFI/BOOT/BOOTX64.EFI", read("/usr/lib/systemd/boot/efi/systemd-bootx64.efi"));
    files.put("loader/loader.conf", text("default fastvm.conf\ntimeout 0\n"));
    files.put(
        "loader/entries/fastvm.conf",
        text(
            "title fastvm test guest\nlinux /vmlinuz\ninitrd /initrd.img\noptions "
                + guest.cmdline()
                + " fastvm.expect=vd:1\n"));
    files.put("vmlinuz", Files.readAllBytes(guest.kernel()));
    files.put("initrd.img", Files.readAllBytes(guest.initrd()));
    return espDisk("uefi-disk", files);
  }

  /**
   * A raw disk image that boots {@link #kernelBootGuest()} through Debian's signed chain (shim
   * signed by Microsoft, GRUB and the kernel signed by Debian), so it boots with Secure Boot on and
   * Microsoft's keys enrolled. Attach it as the one SATA disk.
   */
  public static Path secureBootDisk() throws IOException {
    GuestImage guest = kernelBootGuest();
    String grubCfg =
        "set timeout=0\nmenuentry fastvm {\n  linux /vmlinuz "
            + guest.cmdline()
            + " fastvm.expect=sd:1\n  initrd /initrd.img\n}\n";
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("EFI/BOOT/BOOTX64.EFI", read("/usr/lib/shim/shimx64.efi.signed"));
    files.put("EFI/BOOT/grubx64.efi", read("/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"));
    files.put("EFI/BOOT/grub.cfg", text(grubCfg));
    files.put("EFI/debian/grub.cfg", text(grubCfg));
    files.put("boot/grub/grub.cfg", text(grubCfg));
    files.put("vmlinuz", Files.readAllBytes(guest.kernel()));
    files.put("initrd.img", Files.readAllBytes(guest.initrd()));
    return espDisk("secure-boot-disk", files);
  }

  /**
   * A bootable ISO (grub-mkrescue: BIOS and UEFI) with volume id {@code volumeId} that boots {@link
   * #kernelBootGuest()} with {@code extraCmdline} appended, so a test can tell which ISO booted
   * (and say what the guest should wait for: {@code fastvm.expect=...}).
   */
  public static Path bootIso(String volumeId, String extraCmdline) throws IOException {
    GuestImage guest = kernelBootGuest();
    String grubCfg =
        "set timeout=0\nmenuentry fastvm {\n  linux /vmlinuz "
            + guest.cmdline()
            + " "
            + extraCmdline
            + "\n  initrd /initrd.img\n}\n";
    String key = digest(volumeId, grubCfg, guest.kernel().toString(), guest.initrd().toString());
    Path iso = cacheDir().resolve("boot-" + key + ".iso");
    if (Files.isRegularFile(iso)) {
      return iso;
    }
    Path staging = Files.createTempDirectory(cacheDir(), "iso-staging");
    try {
      Files.createDirectories(staging.resolve("boot/grub"));
      Files.writeString(staging.resolve("boot/grub/grub.cfg"), grubCfg);
      Files.copy(guest.kernel(), staging.resolve("vmlinuz"));
      Files.copy(guest.initrd(), staging.resolve("initrd.img"));
      Path tmp = cacheDir().resolve("boot-" + key + ".iso.tmp" + ProcessHandle.current().pid());
      Commands.run(
          null,
          List.of(
              "grub-mkrescue", "-o", tmp.toString(), staging.toString(), "--", "-volid", volumeId));
      Files.move(tmp, iso, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return iso;
    } finally {
      deleteTree(staging);
    }
  }

  /** A plain data ISO (like a driver ISO) with volume id {@code volumeId} and one README. */
  public static Path dataIso(String volumeId) throws IOException {
    Path iso = cacheDir().resolve("data-" + digest(volumeId) + ".iso");
    if (Files.isRegularFile(iso)) {
      return iso;
    }
    Path staging = Files.createTempDirectory(cacheDir(), "data-staging");
    try {
      Files.writeString(staging.resolve("README.TXT"), "fastvm test data ISO " + volumeId + "\n");
      Path tmp =
          cacheDir().resolve("data-" + digest(volumeId) + ".tmp" + ProcessHandle.current().pid());
      Commands.run(
          null,
          List.of(
              "xorriso",
              "-as",
              "mkisofs",
              "-quiet",
              "-o",
              tmp.toString(),
              "-V",
              volumeId,
              "-J",
              "-R",
              staging.toString()));
      Files.move(tmp, iso, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return iso;
    } finally {
      deleteTree(staging);
    }
  }

  /** Copies a shared image to {@code dir} so a test may attach it writable. */
  public static Path copyTo(Path image, Path dir, String name) throws IOException {
    Path copy = dir.resolve(name);
    Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
    return copy;
  }

  /** Where the disk images and ISOs are cached (beside the guests). */
  public static Path cacheDir() throws IOException {
    Path dir = GuestBuilder.defaultCacheRoot().resolve("test-images");
    Files.createDirectories(dir);
    return dir;
  }

  private static final long ESP_BYTES = 64L << 20;
  private static final long ESP_OFFSET = 1L << 20;

  /** GPT with one EFI system partition from 1 MiB, FAT16, filled with {@code files} (mtools). */
  private static Path espDisk(String name, Map<String, byte[]> files) throws IOException {
    List<String> parts = new ArrayList<>();
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (var e : files.entrySet()) {
        sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        sha.update(MessageDigest.getInstance("SHA-256").digest(e.getValue()));
      }
      parts.add(HexFormat.of().formatHex(sha.digest()).substring(0, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Path disk = cacheDir().resolve(name + "-" + parts.get(0) + ".img");
    if (Files.isRegularFile(disk)) {
      return disk;
    }
    Path work = Files.createTempDirectory(cacheDir(), name);
    try {
      Path img = work.resolve("disk.img");
      try (var raf = new java.io.RandomAccessFile(img.toFile(), "rw")) {
        raf.setLength(ESP_BYTES);
      }
      Path layout = work.resolve("layout.sfdisk");
      Files.writeString(
          layout, "label: gpt\nstart=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=ESP\n");
      Process sfdisk =
          new ProcessBuilder(List.of("sfdisk", "--no-reread", "--no-tell-kernel", img.toString()))
              .redirectInput(layout.toFile())
              .redirectErrorStream(true)
              .start();
      byte[] out = sfdisk.getInputStream().readAllBytes();
      if (sfdisk.waitFor() != 0) {
        throw new IOException("sfdisk failed: " + new String(out));
      }
      long sectors = (ESP_BYTES - ESP_OFFSET) / 512 - 34; // leave room for the backup GPT
      Commands.run(
          work,
          List.of(
              "mkfs.fat",
              "-F",
              "16",
              "--offset=2048",
              "-n",
              "ESP",
              img.toString(),
              String.valueOf(sectors / 2)));
      String target = img + "@@" + ESP_OFFSET;
      java.util.Set<String> dirs = new java.util.TreeSet<>();
      for (String path : files.keySet()) {
        String[] segments = path.split("/");
        StringBuilder dir = new StringBuilder();
        for (int i = 0; i < segments.length - 1; i++) {
          dir.append(i == 0 ? "" : "/").append(segments[i]);
          dirs.add(dir.toString());
        }
      }
      for (String dir : dirs) {
        Commands.run(work, List.of("mmd", "-i", target, "::/" + dir));
      }
      for (var e : files.entrySet()) {
        Path staged = work.resolve("f" + Integer.toHexString(e.getKey().hashCode()));
        Files.write(staged, e.getValue());
        Commands.run(work, List.of("mcopy", "-i", target, staged.toString(), "::/" + e.getKey()));
      }
      Files.move(img, disk, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return disk;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      deleteTree(work);
    }
  }

  private static byte[] read(String path) throws IOException {
    Path p = Path.of(path);
    if (!Files.isReadable(p)) {
      throw new IOException(path + " is missing: run dev/install-deps (Debian test packages)");
    }
    return Files.readAllBytes(p);
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String digest(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        sha.update(p.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes {@code dir} and everything below it, if it exists. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
