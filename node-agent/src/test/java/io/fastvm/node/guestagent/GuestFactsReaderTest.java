package io.fastvm.node.guestagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Parsing the guest agent's answers, in the shape qemu-guest-agent 7.2 (Debian 12) gives them. */
class GuestFactsReaderTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void interfacesWithoutLoopbackWithPrefixesAndLowerCaseMacs() throws Exception {
    var interfaces =
        GuestFactsReader.interfaces(
            JSON.readTree(
                """
                [{"name": "lo", "hardware-address": "00:00:00:00:00:00",
                  "ip-addresses": [{"ip-address-type": "ipv4", "ip-address": "127.0.0.1", "prefix": 8}]},
                 {"name": "eth0", "hardware-address": "52:54:00:AB:cd:01",
                  "ip-addresses": [
                    {"ip-address-type": "ipv4", "ip-address": "10.0.2.50", "prefix": 24},
                    {"ip-address-type": "ipv6", "ip-address": "fe80::5054:ff:feab:cd01", "prefix": 64},
                    {"ip-address-type": "ipv4", "ip-address": "10.0.2.60", "prefix": 24}],
                  "statistics": {"rx-bytes": 1, "tx-bytes": 2}},
                 {"name": "wg0"}]
                """));
    assertThat(interfaces)
        .containsExactly(
            new GuestFacts.Interface(
                "eth0",
                "52:54:00:ab:cd:01",
                java.util.List.of("10.0.2.50/24", "10.0.2.60/24"),
                java.util.List.of("fe80::5054:ff:feab:cd01/64")),
            new GuestFacts.Interface("wg0", null, java.util.List.of(), java.util.List.of()));
  }

  @Test
  void trafficOfTheInterfacesThatHaveCounters() throws Exception {
    var traffic =
        GuestFactsReader.traffic(
            JSON.readTree(
                """
                [{"name": "lo", "statistics": {"rx-bytes": 9}},
                 {"name": "eth0", "statistics": {"rx-bytes": 1, "rx-packets": 2, "rx-errs": 3,
                   "rx-dropped": 4, "tx-bytes": 5, "tx-packets": 6, "tx-errs": 7, "tx-dropped": 8}},
                 {"name": "wg0"}]
                """));
    assertThat(traffic).containsExactly(new GuestFacts.Traffic("eth0", 1, 2, 3, 4, 5, 6, 7, 8));
  }

  @Test
  void osInfo() throws Exception {
    assertThat(
            GuestFactsReader.os(
                JSON.readTree(
                    """
                    {"name": "Debian GNU/Linux", "kernel-release": "6.1.0-28-amd64",
                     "version": "12 (bookworm)", "pretty-name": "Debian GNU/Linux 12 (bookworm)",
                     "version-id": "12", "kernel-version": "#1 SMP", "machine": "x86_64",
                     "id": "debian"}
                    """)))
        .isEqualTo(
            new GuestFacts.Os("debian", "Debian GNU/Linux", "12 (bookworm)", "6.1.0-28-amd64"));
  }
}
