package io.fastvm.node.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodBridgePlannerTest {
  /** A pod as Multus leaves it: eth0, and net1 from a bridge attachment, MTU 1450. */
  static final String FRESH_POD =
      """
      [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536},
       {"ifindex":3,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,
        "linkinfo":{"info_kind":"veth"}},
       {"ifindex":5,"ifname":"net1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,
        "linkinfo":{"info_kind":"veth"}}]
      """;

  /** The same pod once plumbed. */
  static final String PLUMBED_POD =
      """
      [{"ifindex":5,"ifname":"net1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,
        "master":"fvbr1","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}},
       {"ifindex":6,"ifname":"fvbr1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,
        "linkinfo":{"info_kind":"bridge"}},
       {"ifindex":7,"ifname":"fvtap1","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],
        "mtu":1450,"master":"fvbr1","operstate":"DOWN",
        "linkinfo":{"info_kind":"tun","info_data":{"type":"tap","pi":false,"vnet_hdr":false,
        "multi_queue":false,"persist":true,"group":107},"info_slave_kind":"bridge"}}]
      """;

  @Test
  void aFreshPodGetsABridgeJoiningItsInterfaceToATapOfItsGroup() throws Exception {
    var plan = PodBridgePlanner.plan(PodLink.parse(FRESH_POD), List.of(1), 107);
    assertThat(plan.waiting()).isEmpty();
    assertThat(plan.ipCommands())
        .containsExactly(
            List.of("link", "add", "fvbr1", "type", "bridge"),
            List.of("link", "set", "fvbr1", "up"),
            List.of("link", "set", "net1", "master", "fvbr1"),
            List.of("tuntap", "add", "dev", "fvtap1", "mode", "tap", "group", "107"),
            List.of("link", "set", "fvtap1", "mtu", "1450"),
            List.of("link", "set", "fvtap1", "master", "fvbr1"),
            List.of("link", "set", "fvtap1", "up"));
  }

  @Test
  void aPlumbedPodNeedsNothing() throws Exception {
    Map<String, PodLink> links = PodLink.parse(PLUMBED_POD);
    assertThat(links.get("fvtap1"))
        .isEqualTo(new PodLink("fvtap1", true, 1450, "fvbr1", true, false, 107L));
    var plan = PodBridgePlanner.plan(links, List.of(1), 107);
    assertThat(plan.done()).isTrue();
  }

  @Test
  void aTapOfAnotherGroupIsMadeAgainAndAMissingInterfaceWaits() throws Exception {
    var plan = PodBridgePlanner.plan(PodLink.parse(PLUMBED_POD), List.of(1, 2), 1000);
    assertThat(plan.waiting()).containsExactly(2);
    assertThat(plan.ipCommands())
        .startsWith(
            List.of("link", "del", "fvtap1"),
            List.of("tuntap", "add", "dev", "fvtap1", "mode", "tap", "group", "1000"))
        .contains(List.of("link", "set", "fvtap1", "master", "fvbr1"))
        .noneMatch(c -> c.contains("net2") || c.contains("fvbr2"));
    assertThat(plan.done()).isFalse();
  }

  @Test
  void aTapWithAnOwningUserIsMadeAgainForTheGroup() throws Exception {
    String owned = PLUMBED_POD.replace("\"group\":107", "\"user\":0,\"group\":107");
    assertThat(PodLink.parse(owned).get("fvtap1").tapUser()).isTrue();
    assertThat(PodBridgePlanner.plan(PodLink.parse(owned), List.of(1), 107).ipCommands())
        .startsWith(
            List.of("link", "del", "fvtap1"),
            List.of("tuntap", "add", "dev", "fvtap1", "mode", "tap", "group", "107"));
  }
}
