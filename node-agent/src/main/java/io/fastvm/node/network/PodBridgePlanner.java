package io.fastvm.node.network;

import io.fastvm.contract.PodTaps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What makes a VM pod's bridge NICs work, from the links its namespace has now: per NIC a bridge
 * {@link PodTaps#bridge} joining the Multus interface {@link PodTaps#podInterface} to a tap {@link
 * PodTaps#tap} of the pod's group, all up, the tap with the pod interface's MTU. Idempotent: a
 * namespace already plumbed needs nothing. A NIC whose pod interface is not there yet (Multus adds
 * it while the pod starts) is left for a later round.
 */
public final class PodBridgePlanner {
  private PodBridgePlanner() {}

  /**
   * @param ipCommands {@code ip} arguments to run in the pod's namespace, in order
   * @param waiting NICs (by index) whose pod interface is missing
   */
  public record Plan(List<List<String>> ipCommands, List<Integer> waiting) {
    public Plan {
      ipCommands = List.copyOf(ipCommands);
      waiting = List.copyOf(waiting);
    }

    public boolean done() {
      return ipCommands.isEmpty() && waiting.isEmpty();
    }
  }

  /**
   * @param links the namespace's links by name
   * @param nics indexes in spec.networks of the VM's bridge NICs
   * @param gid the VM pod's group: the taps' group, so QEMU opens them without NET_ADMIN (a tap
   *     with a group only is opened by any process in that group, and only the pod's processes see
   *     its network namespace)
   */
  public static Plan plan(Map<String, PodLink> links, List<Integer> nics, long gid) {
    List<List<String>> commands = new ArrayList<>();
    List<Integer> waiting = new ArrayList<>();
    for (int nic : nics) {
      PodLink podInterface = links.get(PodTaps.podInterface(nic));
      if (podInterface == null) {
        waiting.add(nic);
        continue;
      }
      bridge(links, nic, commands);
      port(podInterface, PodTaps.bridge(nic), commands);
      tap(links.get(PodTaps.tap(nic)), nic, podInterface.mtu(), gid, commands);
    }
    return new Plan(commands, waiting);
  }

  private static void bridge(Map<String, PodLink> links, int nic, List<List<String>> commands) {
    String bridge = PodTaps.bridge(nic);
    PodLink link = links.get(bridge);
    if (link == null) {
      commands.add(List.of("link", "add", bridge, "type", "bridge"));
    }
    if (link == null || !link.up()) {
      commands.add(List.of("link", "set", bridge, "up"));
    }
  }

  /** {@code link} a port of {@code bridge}, up. */
  private static void port(PodLink link, String bridge, List<List<String>> commands) {
    if (!bridge.equals(link.master())) {
      commands.add(List.of("link", "set", link.name(), "master", bridge));
    }
    if (!link.up()) {
      commands.add(List.of("link", "set", link.name(), "up"));
    }
  }

  private static void tap(PodLink link, int nic, int mtu, long gid, List<List<String>> commands) {
    String tap = PodTaps.tap(nic);
    boolean wrong =
        link != null
            && (!link.tap()
                || link.tapUser()
                || (link.tapGroup() != null && link.tapGroup() != gid));
    if (wrong) {
      // Not one QEMU could open (an owner, another group, or not a tap): made again.
      commands.add(List.of("link", "del", tap));
    }
    if (link == null || wrong) {
      commands.add(
          List.of("tuntap", "add", "dev", tap, "mode", "tap", "group", Long.toString(gid)));
      link = new PodLink(tap, false, 0, null, true, false, gid);
    }
    if (link.mtu() != mtu) {
      commands.add(List.of("link", "set", tap, "mtu", Integer.toString(mtu)));
    }
    port(link, PodTaps.bridge(nic), commands);
  }
}
