package io.fastvm.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The links of a VM pod's tap NICs (bridge networks), named by the NIC's position in {@code
 * spec.networks}. The operator asks Multus for {@link #podInterface} in the pod's annotation, the
 * node agent bridges it to {@link #tap} from outside the pod (VM pods get no NET_ADMIN), and the
 * launcher hands the tap to QEMU. All names fit Linux's 15 characters.
 */
public final class PodTaps {
  private PodTaps() {}

  /** NICs a VM may have (the CRD's limit on {@code spec.networks}). */
  public static final int MAX_NICS = 16;

  /**
   * The VM pod's annotation listing its bridge NICs by index in {@code spec.networks}, comma
   * separated ("0,2"): the node agent plumbs those, and needs nothing but the pod to know them.
   */
  public static final String BRIDGE_NICS_ANNOTATION = "fastvm.io/bridge-nics";

  /** How long a VM pod's launcher waits for the node agent to make its taps. */
  public static final Duration WAIT = Duration.ofMinutes(2);

  /** The interface Multus adds to the pod for the {@code nic}th network. */
  public static String podInterface(int nic) {
    return "net" + checked(nic);
  }

  /** The bridge in the pod joining {@link #podInterface} and {@link #tap}. */
  public static String bridge(int nic) {
    return "fvbr" + checked(nic);
  }

  /** The tap QEMU opens, of the VM pod's group so no privilege is needed to open it. */
  public static String tap(int nic) {
    return "fvtap" + checked(nic);
  }

  /** The {@link #BRIDGE_NICS_ANNOTATION} value of {@code nics}. */
  public static String format(List<Integer> nics) {
    return nics.stream().map(n -> Integer.toString(checked(n))).collect(Collectors.joining(","));
  }

  /**
   * The NICs a {@link #BRIDGE_NICS_ANNOTATION} value lists (none for null or blank).
   *
   * @throws IllegalArgumentException for anything but NIC indexes, comma separated
   */
  public static List<Integer> parse(String annotation) {
    List<Integer> nics = new ArrayList<>();
    if (annotation == null || annotation.isBlank()) {
      return nics;
    }
    for (String part : annotation.split(",", -1)) {
      try {
        nics.add(checked(Integer.parseInt(part.strip())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            BRIDGE_NICS_ANNOTATION + " \"" + annotation + "\" is not a list of NIC indexes");
      }
    }
    return nics;
  }

  private static int checked(int nic) {
    if (nic < 0 || nic >= MAX_NICS) {
      throw new IllegalArgumentException("NIC index " + nic + " is not in 0.." + (MAX_NICS - 1));
    }
    return nic;
  }
}
