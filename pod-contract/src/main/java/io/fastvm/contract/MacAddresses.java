package io.fastvm.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** MAC addresses of NICs: the spec's, or a stable one derived from namespace, VM and NIC name. */
public final class MacAddresses {
  private MacAddresses() {}

  /** QEMU's locally administered OUI, which guests and tools recognise as a VM NIC. */
  public static final String PREFIX = "52:54:00";

  private static final Pattern UNICAST =
      Pattern.compile("[0-9a-fA-F][02468aAcCeE](:[0-9a-fA-F]{2}){5}");

  /** Same inputs, same MAC, on every node and after every restart. */
  public static String stable(String namespace, String vmName, String nicName) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((namespace + "/" + vmName + "/" + nicName).getBytes(StandardCharsets.UTF_8));
      return PREFIX + ":" + HexFormat.ofDelimiter(":").formatHex(digest, 0, 3);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lower-cased MAC if it is a well-formed unicast address, else empty. */
  public static java.util.Optional<String> normalize(String mac) {
    if (mac == null || !UNICAST.matcher(mac).matches()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(mac.toLowerCase(Locale.ROOT));
  }
}
