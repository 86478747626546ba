package io.fastvm.node.guestagent;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@link GuestFacts} with three agent commands: {@code guest-get-host-name}, {@code
 * guest-get-osinfo} and {@code guest-network-get-interfaces}. The parsing is separate and pure.
 */
public final class GuestFactsReader {
  private GuestFactsReader() {}

  /** Asks the agent; each command gets {@code timeout}. */
  public static GuestFacts read(GuestAgentClient agent, Duration timeout)
      throws GuestAgentException, InterruptedException {
    JsonNode host = agent.execute("guest-get-host-name", null, timeout);
    GuestFacts.Os os;
    try {
      os = os(agent.execute("guest-get-osinfo", null, timeout));
    } catch (GuestAgentException e) {
      os = null; // older agents and some guests lack it
    }
    JsonNode interfaces = agent.execute("guest-network-get-interfaces", null, timeout);
    return new GuestFacts(
        host.path("host-name").asText(null), os, interfaces(interfaces), traffic(interfaces));
  }

  /** The answer of {@code guest-get-osinfo}. */
  static GuestFacts.Os os(JsonNode info) {
    return new GuestFacts.Os(
        info.path("id").asText(null),
        info.path("name").asText(null),
        info.path("version").asText(null),
        info.path("kernel-release").asText(null));
  }

  /** The answer of {@code guest-network-get-interfaces}, without loopback. */
  static List<GuestFacts.Interface> interfaces(JsonNode list) {
    List<GuestFacts.Interface> interfaces = new ArrayList<>();
    for (JsonNode nic : list) {
      String name = nic.path("name").asText();
      if (name.equals("lo")) {
        continue;
      }
      List<String> ipv4 = new ArrayList<>();
      List<String> ipv6 = new ArrayList<>();
      for (JsonNode address : nic.path("ip-addresses")) {
        String value = address.path("ip-address").asText() + "/" + address.path("prefix").asInt();
        if ("ipv4".equals(address.path("ip-address-type").asText())) {
          ipv4.add(value);
        } else if ("ipv6".equals(address.path("ip-address-type").asText())) {
          ipv6.add(value);
        }
      }
      String mac = nic.path("hardware-address").asText(null);
      interfaces.add(
          new GuestFacts.Interface(
              name, mac == null ? null : mac.toLowerCase(Locale.ROOT), ipv4, ipv6));
    }
    return interfaces;
  }

  /** The counters in the answer of {@code guest-network-get-interfaces}, without loopback. */
  static List<GuestFacts.Traffic> traffic(JsonNode list) {
    List<GuestFacts.Traffic> traffic = new ArrayList<>();
    for (JsonNode nic : list) {
      JsonNode stats = nic.path("statistics");
      if (nic.path("name").asText().equals("lo") || !stats.isObject()) {
        continue;
      }
      traffic.add(
          new GuestFacts.Traffic(
              nic.path("name").asText(),
              stats.path("rx-bytes").asLong(),
              stats.path("rx-packets").asLong(),
              stats.path("rx-errs").asLong(),
              stats.path("rx-dropped").asLong(),
              stats.path("tx-bytes").asLong(),
              stats.path("tx-packets").asLong(),
              stats.path("tx-errs").asLong(),
              stats.path("tx-dropped").asLong()));
    }
    return traffic;
  }
}
