package io.fastvm.node.guestagent;

import java.util.List;

/**
 * What the guest agent says about the running guest.
 *
 * @param hostname the guest's host name
 * @param os its operating system, or null when the agent cannot tell
 * @param interfaces its network interfaces other than loopback, in the agent's order
 * @param traffic the counters of those interfaces that have them (for metrics; they change all the
 *     time, so they are kept apart from what goes into the VM's status)
 */
public record GuestFacts(
    String hostname, Os os, List<Interface> interfaces, List<Traffic> traffic) {

  public GuestFacts {
    interfaces = List.copyOf(interfaces);
    traffic = List.copyOf(traffic);
  }

  public GuestFacts(String hostname, Os os, List<Interface> interfaces) {
    this(hostname, os, interfaces, List.of());
  }

  /**
   * @param id e.g. {@code debian}
   * @param name e.g. {@code Debian GNU/Linux}
   * @param version e.g. {@code 12 (bookworm)}
   * @param kernel the running kernel's release
   */
  public record Os(String id, String name, String version, String kernel) {}

  /**
   * @param mac lower case, colon-separated; null when the interface has none
   * @param ipv4 addresses with prefix length, e.g. {@code 10.0.2.50/24}
   * @param ipv6 addresses with prefix length; link-local ones included
   */
  public record Interface(String name, String mac, List<String> ipv4, List<String> ipv6) {
    public Interface {
      ipv4 = List.copyOf(ipv4);
      ipv6 = List.copyOf(ipv6);
    }
  }

  /**
   * An interface's counters since the guest brought it up, as the guest's kernel counts them
   * (qemu-guest-agent's {@code statistics}).
   */
  public record Traffic(
      String name,
      long rxBytes,
      long rxPackets,
      long rxErrors,
      long rxDropped,
      long txBytes,
      long txPackets,
      long txErrors,
      long txDropped) {}
}
