package io.fastvm.node.testing;

import io.fastvm.node.guest.DebianDisk;
import io.fastvm.node.guest.DebianDiskBuilder;
import io.fastvm.node.guest.DebianDiskRecipe;
import io.fastvm.node.guest.DebianKernel;
import io.fastvm.node.guest.GuestBuilder;
import io.fastvm.node.guest.GuestImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Debian 12 guest with cloud-init, for tests of what cloud-init makes of a seed: a root disk
 * debootstrapped from Debian packages (systemd, cloud-init 22.4, OpenSSH, sudo) with both Debian
 * kernels, each booted directly with an initramfs that mounts the root from the first virtio disk.
 * Network configuration takes cloud-init's ENI renderer (ifupdown, with resolvconf for the
 * nameservers), as in Debian 12's own cloud images.
 *
 * <p>Once cloud-init is done (or did not run), the guest reports on its serial line what it became,
 * as {@code FASTVM-GUEST} lines ({@code cloud-guest-report.sh}: hostname, datasource, cloud-init's
 * errors, each regular user's id, sudo rules, SSH keys and password hash, NICs, IPv4 addresses,
 * default route, nameservers), ends with {@link TestGuests#READY} and powers off.
 *
 * <p>The disk is built once (a few minutes: debootstrap needs root and the Debian mirror) and
 * cached beside the other test guests. It is shared: boot it as the base of an overlay clone
 * ({@link #volumes}).
 */
public final class CloudGuest {
  private CloudGuest() {}

  /**
   * One boot to cloud-init's end and the guest's power-off. Measured under TCG on a busy 2-core
   * machine: 3.5 to 7 minutes (see the test reports); generous, so that only a hung guest fails.
   */
  public static final java.time.Duration BOOT = java.time.Duration.ofMinutes(12);

  /** Kernel command line: the disk is the first virtio disk; systemd shows its progress. */
  static final String CMDLINE = "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=1";

  static final List<String> PACKAGES =
      List.of(
          "systemd",
          "systemd-sysv",
          "udev",
          "dbus",
          "cloud-init",
          "openssh-server",
          "sudo",
          "iproute2",
          "ifupdown",
          "resolvconf",
          "locales",
          // The guest agent, for the node agent's guest facts (started by udev on its port).
          "qemu-guest-agent");

  public static DebianDiskRecipe recipe() {
    String mirror =
        System.getenv().getOrDefault("FASTVM_DEBIAN_MIRROR", "http://deb.debian.org/debian");
    return new DebianDiskRecipe(
        "bookworm",
        mirror,
        List.of(DebianKernel.CLOUD, DebianKernel.GENERIC),
        // The root's driver, and those of the seed's buses: ds-identify looks for the seed before
        // udev loads modules from the root, as Debian's own initramfs (MODULES=most) has them.
        List.of("virtio_pci", "virtio_blk", "virtio_scsi", "sd_mod", "ahci", "sr_mod", "ext4"),
        PACKAGES,
        List.of(
            new DebianDiskRecipe.File("etc/hosts", 0644, "127.0.0.1 localhost\n::1 localhost\n"),
            new DebianDiskRecipe.File(
                "usr/local/sbin/fastvm-report", 0755, resource("cloud-guest-report.sh")),
            new DebianDiskRecipe.File(
                "etc/systemd/system/fastvm-report.service",
                0644,
                resource("cloud-guest-report.service"))),
        List.of(
            // The locale cloud-init sets by default, made beforehand as in Debian's cloud images,
            // so that cloud-init does not run locale-gen on the first boot (slow under TCG).
            List.of("localedef", "-i", "en_US", "-f", "UTF-8", "en_US.UTF-8"),
            List.of("update-locale", "LANG=en_US.UTF-8"),
            List.of("systemctl", "enable", "fastvm-report.service")),
        2,
        CMDLINE);
  }

  /** The disk, built on first use. */
  public static DebianDisk disk() throws IOException {
    return new DebianDiskBuilder(GuestBuilder.defaultCacheRoot()).build(recipe());
  }

  /**
   * Skips the calling test, saying what is missing, when the disk cannot be built here (not root,
   * or no debootstrap); on CI (CI=true) nothing is skipped, so a missing package fails the build
   * instead.
   */
  public static void assumeAvailable() {
    Optional<String> missing = DebianDiskBuilder.missingPrerequisite();
    if (missing.isPresent() && !"true".equals(System.getenv("CI"))) {
      Assumptions.abort("skipped: " + missing.get() + " (dev/install-deps installs debootstrap)");
    }
  }

  /**
   * Binds {@code disk} as the Volume template, an overlay clone of it (made by the launcher on its
   * first start) in {@code dir} as root, and {@code kernel} as kernel and initrd.
   */
  public static TestVm bind(TestVm vm, DebianDisk disk, GuestImage kernel, Path dir) {
    return vm.kernelBoot(kernel).volume("template", disk.image()).volume("root", dir);
  }

  /** The Volumes {@link #bind} binds: the cached image and its overlay clone. */
  public static String volumes(DebianDisk disk) {
    String size = disk.bytes() + "";
    return """
        apiVersion: fastvm.io/v1alpha1
        kind: Volume
        metadata: {name: template}
        spec: {size: "%s", format: raw, source: {blank: {}}}
        ---
        apiVersion: fastvm.io/v1alpha1
        kind: Volume
        metadata: {name: root}
        spec: {size: "%s", format: qcow2, source: {volume: {name: template, mode: overlay}}}
        """
        .formatted(size, size);
  }

  /**
   * A {@code fastvm run} test VM on the disk: {@code kernel} booted with {@code cmdline} from an
   * overlay clone, one nat NIC with {@code mac}, {@code config} as its cloud-init on {@code bus};
   * bound to folders under {@code dir}, with the config, its Secret and the Volumes in the
   * manifest.
   */
  public static TestVm localVm(
      Path dir,
      DebianDisk disk,
      GuestImage kernel,
      String cmdline,
      String mac,
      CloudGuestConfig config,
      String bus)
      throws IOException {
    return vm(
        dir,
        disk,
        kernel,
        cmdline,
        "{name: default, type: nat, macAddress: \"" + mac + "\"}",
        config.yaml("tests"),
        "{name: " + CloudGuestConfig.CONFIG + ", bus: " + bus + "}");
  }

  /**
   * A VM of {@code disk} under TCG booting {@code kernel} with {@code cmdline}, with the one NIC
   * {@code nic} (a YAML flow map) and cloud-init {@code cloudInit} (the VM's field, a flow map)
   * from {@code cloudInitManifests} (its CloudInitConfig and Secrets); bound to folders under
   * {@code dir}, with those manifests and the Volumes in its manifest.
   */
  public static TestVm vm(
      Path dir,
      DebianDisk disk,
      GuestImage kernel,
      String cmdline,
      String nic,
      String cloudInitManifests,
      String cloudInit)
      throws IOException {
    String vm =
        """
        apiVersion: fastvm.io/v1alpha1
        kind: VirtualMachine
        metadata: {name: guest, namespace: tests}
        spec:
          accelerator: tcg
          memory: 768Mi
          kernelBoot: {kernel: kernel, initrd: initrd, cmdline: '%s'}
          disks: [{name: root, volume: root}]
          display: {type: none}
          networks: [%s]
          cloudInit: %s
        """
            .formatted(cmdline, nic, cloudInit);
    return bind(
            new TestVm(dir),
            disk,
            kernel,
            java.nio.file.Files.createDirectories(dir.resolve("root")))
        .manifest(cloudInitManifests + "---\n" + volumes(disk) + "---\n" + vm);
  }

  private static String resource(String name) {
    try (InputStream in = CloudGuest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
