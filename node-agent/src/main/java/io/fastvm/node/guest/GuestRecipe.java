package io.fastvm.node.guest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a busybox guest is made of.
 *
 * @param flavours Debian kernel flavours ({@link DebianKernel#GENERIC}, {@link DebianKernel#CLOUD})
 *     that fit, in order of preference: the newest installed kernel of the first flavour found
 * @param modules kernel modules to load at boot (dependencies are added)
 * @param settings {@code GUEST_*} variables of the init script: GUEST_POWER_BUTTON (acpi | ignore),
 *     GUEST_NETWORK (dhcp), GUEST_HTTP_PORT, GUEST_BANNER, GUEST_INTERACTIVE (yes), GUEST_EFIVAR
 *     (yes: report a UEFI variable of its own, writing it when absent)
 * @param cmdline kernel command line for direct kernel boot; {@code
 *     fastvm.expect=vd:2,sd:1,sr:3,net:2} makes the guest wait (with a deadline) until it sees that
 *     many block devices of each name prefix and NICs before it reports
 */
public record GuestRecipe(
    List<String> flavours, List<String> modules, Map<String, String> settings, String cmdline) {

  public GuestRecipe {
    flavours = List.copyOf(flavours);
    modules = List.copyOf(modules);
    settings = new TreeMap<>(settings);
  }

  /** Serial console, no reboot loop on panic, quiet. */
  public static final String DEFAULT_CMDLINE = "console=ttyS0 panic=-1 quiet";

  /** A copy with one setting changed. */
  public GuestRecipe with(String key, String value) {
    Map<String, String> copy = new TreeMap<>(settings);
    copy.put(key, value);
    return new GuestRecipe(flavours, modules, copy, cmdline);
  }
}
