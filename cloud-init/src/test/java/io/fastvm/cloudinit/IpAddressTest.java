package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0.0.0.0",
        "192.168.10.5",
        "255.255.255.255",
        "::1",
        "fd00:10::5",
        "2606:4700:4700::1111"
      })
  void literalsParse(String ip) {
    assertThat(IpAddress.parse(ip)).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "localhost",
        "example.com",
        "256.1.1.1",
        "010.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "fe80::1%eth0",
        "::ffff:1.2.3.4",
        "1:2:3:4:5:6:7:8:9",
        "gggg::1"
      })
  void othersDoNot(String text) {
    assertThat(IpAddress.parse(text)).isEmpty();
  }

  @Test
  void cidrsContainTheirHostsAndKnowTheirReservedAddresses() {
    IpAddress.Cidr net = IpAddress.Cidr.parse("192.168.10.5/24").orElseThrow();
    assertThat(net.contains(IpAddress.parse("192.168.10.254").orElseThrow())).isTrue();
    assertThat(net.contains(IpAddress.parse("192.168.11.1").orElseThrow())).isFalse();
    assertThat(net.contains(IpAddress.parse("fd00::1").orElseThrow())).isFalse();
    assertThat(net.reservedHostAddress()).isEmpty();
    assertThat(IpAddress.Cidr.parse("10.0.0.0/8").orElseThrow().reservedHostAddress()).isPresent();
    assertThat(IpAddress.Cidr.parse("10.0.0.0/31").orElseThrow().reservedHostAddress()).isEmpty();
    IpAddress.Cidr v6 = IpAddress.Cidr.parse("fd00:10::5/64").orElseThrow();
    assertThat(v6.contains(IpAddress.parse("fd00:10::1").orElseThrow())).isTrue();
    assertThat(v6.contains(IpAddress.parse("fd00:11::1").orElseThrow())).isFalse();
    assertThat(IpAddress.Cidr.parse("10.0.0.1/33")).isEmpty();
    assertThat(IpAddress.Cidr.parse("10.0.0.1/")).isEmpty();
    assertThat(IpAddress.Cidr.parse("10.0.0.1")).isEmpty();
  }
}
