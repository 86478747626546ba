package io.fastvm.node.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.NetworkType;
import io.fastvm.api.v1alpha1.NicModel;
import io.fastvm.api.v1alpha1.Port;
import io.fastvm.api.v1alpha1.PortProtocol;
import io.fastvm.contract.HostPortMode;
import io.fastvm.contract.MacAddresses;
import io.fastvm.contract.NatBackend;
import io.fastvm.contract.PodTaps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NicPlannerTest {

  private static Network nat(String name, List<Port> ports) {
    return new Network(name, NetworkType.NAT, null, null, null, null, ports);
  }

  @Test
  void stableMacsDependOnNamespaceVmAndNic() {
    String mac = MacAddresses.stable("default", "vm", "nic");
    assertThat(mac)
        .matches("52:54:00(:[0-9a-f]{2}){3}")
        .isEqualTo(MacAddresses.stable("default", "vm", "nic"));
    assertThat(MacAddresses.stable("other", "vm", "nic")).isNotEqualTo(mac);
    assertThat(MacAddresses.stable("default", "vm2", "nic")).isNotEqualTo(mac);
    assertThat(MacAddresses.stable("default", "vm", "nic2")).isNotEqualTo(mac);
    assertThat(MacAddresses.normalize("52:54:00:AB:cd:01")).hasValue("52:54:00:ab:cd:01");
    assertThat(MacAddresses.normalize("01:00:5e:00:00:01")).isEmpty(); // multicast
    assertThat(MacAddresses.normalize("52:54:00:00:00:01,id=x")).isEmpty();
  }

  /**
   * Pinned by values computed outside Java (sha256sum of "namespace/vm/nic"): a change to the
   * derivation would give every existing VM a new MAC on upgrade, so it must fail here.
   */
  @Test
  void stableMacsArePinnedAcrossReleases() {
    assertThat(MacAddresses.stable("default", "vm", "nic")).isEqualTo("52:54:00:a6:93:11");
    assertThat(MacAddresses.stable("tests", "hw", "second")).isEqualTo("52:54:00:3e:15:4a");
    assertThat(MacAddresses.stable("lab", "student-01", "default")).isEqualTo("52:54:00:8f:36:98");
    assertThat(MacAddresses.stable("kube-system", "a-very-long-vm-name-with-dashes", "lan"))
        .isEqualTo("52:54:00:0a:02:21");
  }

  @Test
  void podForwardsGuestPortsLocalForwardsServicePorts() {
    List<Network> networks =
        List.of(
            nat(
                "default",
                List.of(
                    new Port("ssh", 22, null, 2222), new Port("dns", 53, PortProtocol.UDP, null))));
    List<String> problems = new ArrayList<>();
    var pod = new NicPlanner("0.0.0.0", HostPortMode.GUEST).plan("ns", "vm", networks, problems);
    assertThat(pod.get(0).forwards())
        .extracting(HostForward::toSlirp)
        .containsExactly("tcp:0.0.0.0:22-:22", "udp:0.0.0.0:53-:53");
    var local =
        new NicPlanner("127.0.0.1", HostPortMode.SERVICE).plan("ns", "vm", networks, problems);
    assertThat(local.get(0).forwards())
        .extracting(HostForward::toSlirp)
        .containsExactly("tcp:127.0.0.1:2222-:22", "udp:127.0.0.1:53-:53");
    assertThat(problems).isEmpty();
  }

  @Test
  void natNicsOnPasstGetASocketEachIsolatedOnesStayOnSlirp() throws Exception {
    List<Network> networks =
        List.of(
            nat("a", List.of()),
            new Network("lab", NetworkType.ISOLATED, null, null, null, null, null),
            nat("b", List.of()));
    List<String> problems = new ArrayList<>();
    Path run = Path.of("/run/fastvm");
    var nics =
        new NicPlanner("0.0.0.0", HostPortMode.GUEST, NatBackend.PASST, run)
            .plan("ns", "vm", networks, problems);
    assertThat(problems).isEmpty();
    assertThat(nics)
        .extracting(NicAttachment::backend)
        .containsExactly(
            new NicBackend.Passt(run.resolve("passt-0.sock")),
            new NicBackend.UserNetwork(true, List.of()),
            new NicBackend.Passt(run.resolve("passt-2.sock")));
    assertThat(
            Passt.argv(
                Path.of("/usr/bin/passt"), nics.get(0), run.resolve("passt-0.log"), "1000:1000"))
        .containsExactly(
            "/usr/bin/passt",
            "--foreground",
            "--one-off",
            "--runas",
            "1000:1000",
            "--socket",
            "/run/fastvm/passt-0.sock",
            "--log-file",
            "/run/fastvm/passt-0.log");
    assertThat(Passt.ownUser()).matches("\\d+:\\d+");

    new NicPlanner("0.0.0.0", HostPortMode.GUEST, NatBackend.PASST, run)
        .plan("ns", "vm", List.of(nat("web", List.of(new Port("http", 80, null, null)))), problems);
    assertThat(problems)
        .singleElement()
        .asString()
        .startsWith("network web: ports cannot be forwarded with --nat-backend=passt yet");
  }

  @Test
  void bridgeNicsGetTheTapOfTheirPositionAndKeepTheirMac() throws Exception {
    List<Network> networks =
        List.of(
            nat("default", List.of()),
            new Network("lan", NetworkType.BRIDGE, "lan", NicModel.E1000, null, null, null),
            new Network("san", NetworkType.BRIDGE, "san", null, "52:54:00:aa:bb:cc", null, null));
    List<String> problems = new ArrayList<>();
    var nics = new NicPlanner("0.0.0.0", HostPortMode.GUEST).plan("ns", "vm", networks, problems);
    assertThat(problems).isEmpty();
    assertThat(nics)
        .extracting(NicAttachment::backend)
        .containsExactly(
            new NicBackend.UserNetwork(false, List.of()),
            new NicBackend.Tap(PodTaps.tap(1)),
            new NicBackend.Tap("fvtap2"));
    assertThat(nics.get(1).mac()).isEqualTo(MacAddresses.stable("ns", "vm", "lan"));
    assertThat(nics.get(2).mac()).isEqualTo("52:54:00:aa:bb:cc");
    assertThat(nics.get(1).model()).isEqualTo(NicModel.E1000);
  }

  @Test
  void refusesWhatItCannotDo() {
    List<Network> networks =
        List.of(
            new Network("lan", NetworkType.BRIDGE, "lan", null, null, null, null),
            new Network("tap", NetworkType.MACVTAP, "tap", null, null, null, null),
            new Network(
                "a",
                NetworkType.NAT,
                null,
                NicModel.E1000,
                "52:54:00:00:00:01",
                null,
                List.of(new Port(null, 80, null, 8080))),
            new Network(
                "b",
                NetworkType.NAT,
                null,
                null,
                "52:54:00:00:00:01",
                null,
                List.of(new Port(null, 81, null, 8080))),
            new Network("c", NetworkType.ISOLATED, null, null, "ff:ff:ff:ff:ff:ff", null, null),
            new Network(
                "d",
                NetworkType.ISOLATED,
                null,
                null,
                null,
                null,
                List.of(new Port(null, 80, null, null))));
    List<String> problems = new ArrayList<>();
    new NicPlanner("localhost", HostPortMode.SERVICE).plan("ns", "vm", networks, problems);
    assertThat(problems)
        .anyMatch(p -> p.contains("--nat-bind-address: localhost is not an IPv4 address"))
        .noneMatch(p -> p.startsWith("network lan"))
        .anyMatch(p -> p.startsWith("network tap: type macvtap is not supported yet"))
        .anyMatch(p -> p.contains("network b: MAC 52:54:00:00:00:01 is used by another NIC"))
        .anyMatch(p -> p.contains("network b: host port TCP 8080 is forwarded twice"))
        .anyMatch(p -> p.contains("network c: macAddress ff:ff:ff:ff:ff:ff is not a unicast MAC"))
        .anyMatch(p -> p.contains("network d: ports can only be forwarded on nat networks"));
  }
}
