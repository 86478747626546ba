package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.api.v1alpha1.GuestNetwork;
import io.fastvm.api.v1alpha1.NetworkMode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkConfigRulesTest {

  /** A network-config v2 like the renderer's, with nic0's settings given as YAML lines. */
  static String config(String nic0) {
    return "version: 2\nethernets:\n  nic0:\n    match:\n      macaddress: \"52:54:00:12:34:56\"\n"
        + "    set-name: eth0\n"
        + nic0.indent(4)
        + "  nic1:\n    match:\n      macaddress: \"52:54:00:ab:cd:ef\"\n    set-name: eth1\n"
        + "    dhcp4: true\n";
  }

  static final String STATIC =
      "dhcp4: false\naddresses: [192.168.10.5/24]\ngateway4: 192.168.10.1\n"
          + "nameservers:\n  addresses: [1.1.1.1, \"2606:4700:4700::1111\"]\n  search: [lab.example]\n";

  @Test
  void renderedShapesPass() {
    assertThat(NetworkConfigRules.check(config("dhcp4: true\n"))).isEmpty();
    assertThat(NetworkConfigRules.check(config(STATIC))).isEmpty();
    assertThat(
            NetworkConfigRules.check(
                config("dhcp4: false\naddresses: [\"fd00:10::5/64\"]\ngateway6: \"fd00:10::1\"\n")))
        .isEmpty();
    // The form with a top-level network key, which cloud-init reads too.
    assertThat(NetworkConfigRules.check("network:\n" + config("dhcp4: true\n").indent(2)))
        .isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "gateway4: 192.168.10.1 | gateway4: \"fd00::1\" | spec.network.gateway | is an IPv6 address, but gateway4 takes IPv4",
        "gateway4: 192.168.10.1 | gateway4: 10.0.0.1 | spec.network.gateway | outside the guest's subnet (192.168.10.5/24)",
        "gateway4: 192.168.10.1 | gateway4: 192.168.10.5 | spec.network.gateway | is the guest's own address",
        "gateway4: 192.168.10.1 | gateway4: gw.lab | spec.network.gateway | is not an IP address",
        "addresses: [192.168.10.5/24] | addresses: [192.168.10.5] | spec.network.address | is not an address with a prefix length",
        "addresses: [192.168.10.5/24] | addresses: [192.168.10.0/24] | spec.network.address | the network's own address",
        "addresses: [192.168.10.5/24] | addresses: [192.168.10.255/24] | spec.network.address | the network's broadcast address",
        "addresses: [192.168.10.5/24] | addresses: [192.168.10.5/33] | spec.network.address | is not an address with a prefix length",
        "addresses: [192.168.10.5/24] | addresses: [] | spec.network.address | without DHCP the NIC needs an address",
        "dhcp4: false | dhcp4: \"false\" | spec.network.mode | dhcp4: must be true or false, not the string \"false\"",
        "[1.1.1.1, | [dns.example, | spec.network.nameservers[0] | is not an IP address",
        "search: [lab.example] | search: [lab_example] | spec.network.searchDomains[0] | is not a domain name",
      })
  void staticMistakesNameTheSpecField(String from, String to, String field, String message) {
    String broken = config(STATIC.replace(from, to));
    assertThat(broken).isNotEqualTo(config(STATIC));
    assertThat(NetworkConfigRules.check(broken))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo(field);
              assertThat(p.message()).startsWith("network-config ethernets.nic0").contains(message);
            });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"52:54:00:12:34:56\" | \"52:54:00:AB:CD:EF\" | must be lower case",
        "\"52:54:00:12:34:56\" | \"52-54-00-12-34-56\" | is not a MAC address",
        "\"52:54:00:12:34:56\" | \"53:54:00:12:34:56\" | is a multicast address",
        // Unquoted, YAML 1.1 reads it as a base-60 integer and cloud-init fails on it.
        "\"52:54:00:12:34:56\" | 52:54:00:12:34:56 | is not quoted, and YAML 1.1 reads it as the number",
        "eth0 | eth0-with-a-long-name | is not a Linux interface name",
      })
  void macAndNameMistakes(String from, String to, String message) {
    String broken = config("dhcp4: true\n").replaceFirst(java.util.regex.Pattern.quote(from), to);
    assertThat(NetworkConfigRules.check(broken))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("spec.network");
              assertThat(p.message()).contains(message);
            });
  }

  @Test
  void furtherNicsAreNotBlamedOnSpecNetwork() {
    String broken = config(STATIC).replace("dhcp4: true", "dhcp4: yes please");
    assertThat(NetworkConfigRules.check(broken))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("spec.network");
              assertThat(p.message()).startsWith("network-config ethernets.nic1.dhcp4");
            });
  }

  @Test
  void theShapeIsChecked() {
    assertThat(NetworkConfigRules.check("version: 1\nconfig: []\n"))
        .extracting(SeedProblem::message)
        .containsExactly(
            "network-config version must be 2, not the number 1",
            "network-config has key config; allowed: version, ethernets",
            "network-config needs an ethernets mapping with one entry per NIC");
    assertThat(NetworkConfigRules.check(config("dhcp4: true\nmtu: 9000\n")))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("has key mtu"));
    assertThat(NetworkConfigRules.check("version: 2\nethernets: [\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("not valid YAML"));
  }

  @Test
  void specNetworkAloneIsCheckedAsItWouldBeRendered() {
    assertThat(
            NetworkConfigRules.check(
                new GuestNetwork(
                    NetworkMode.STATIC,
                    "192.168.10.5/24",
                    "192.168.10.1",
                    List.of("1.1.1.1"),
                    List.of("lab.example"))))
        .isEmpty();
    assertThat(NetworkConfigRules.check(new GuestNetwork(NetworkMode.DHCP, null, null, null, null)))
        .isEmpty();
    assertThat(
            NetworkConfigRules.check(
                new GuestNetwork(NetworkMode.STATIC, "fd00::5/64", "192.168.10.1", null, null)))
        .extracting(SeedProblem::field, SeedProblem::message)
        .singleElement()
        .satisfies(
            t ->
                assertThat(t.toList())
                    .containsExactly(
                        "spec.network.gateway",
                        "network-config ethernets.nic0.gateway4: 192.168.10.1 is an IPv4"
                            + " gateway, but the guest has no IPv4 address to reach it from"));
  }
}
