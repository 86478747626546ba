package io.fastvm.node.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The embedded demo VM of {@code fastvm run}: the host's Debian kernel (cloud flavour if installed,
 * else the generic one every Debian host has; no kernel is installed for it) and a busybox
 * initramfs that reports what it sees, gets an address by DHCP on a nat network, serves a page on
 * port 80 (forwarded to 127.0.0.1:8080) and powers off on the ACPI power button. Its manifest is
 * {@link #MANIFEST_RESOURCE} (also {@code examples/local/demo.yaml}).
 */
public final class DemoGuest {
  private DemoGuest() {}

  public static final String MANIFEST_RESOURCE = "demo.yaml";
  public static final String KERNEL_VOLUME = "demo-kernel";
  public static final String INITRD_VOLUME = "demo-initrd";

  public static GuestRecipe recipe() {
    return new GuestRecipe(
        List.of(DebianKernel.CLOUD, DebianKernel.GENERIC),
        List.of("virtio_pci", "virtio_net", "virtio_blk", "virtio_console", "button", "evdev"),
        Map.of(
            "GUEST_POWER_BUTTON", "acpi",
            "GUEST_NETWORK", "dhcp",
            "GUEST_HTTP_PORT", "80",
            "GUEST_INTERACTIVE", "yes"),
        GuestRecipe.DEFAULT_CMDLINE);
  }

  public static GuestImage build() throws IOException {
    return new GuestBuilder(GuestBuilder.defaultCacheRoot()).build(recipe());
  }

  /** The demo VM's manifest (VirtualMachine and its two Volumes). */
  public static String manifest() {
    return new String(GuestBuilder.resource(MANIFEST_RESOURCE), StandardCharsets.UTF_8);
  }
}
