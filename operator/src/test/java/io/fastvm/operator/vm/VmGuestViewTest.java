package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.api.v1alpha1.GuestInterfaceStatus;
import io.fastvm.api.v1alpha1.GuestStatus;
import io.fastvm.api.v1alpha1.VmInterfaceStatus;
import io.fastvm.operator.status.Conditions;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmGuestViewTest {
  static final GuestStatus GUEST =
      new GuestStatus(
          "p-1",
          true,
          null,
          "box",
          null,
          null,
          null,
          List.of(
              new GuestInterfaceStatus(
                  "eth0", "52:54:00:00:00:01", List.of("10.0.2.15/24", "fe80::1/64")),
              new GuestInterfaceStatus(
                  "eth1", "52:54:00:00:00:02", List.of("fe80::2/64", "192.168.10.5/24"))));

  @Test
  void aNatNicKeepsThePodsAddressAndNamesBothSources() {
    VmInterfaceStatus nat =
        new VmInterfaceStatus(
            "default", "52:54:00:00:00:01", "10.244.0.7", List.of("10.244.0.7"), "pod");
    assertThat(VmGuestView.withGuest(nat, GUEST))
        .isEqualTo(
            new VmInterfaceStatus(
                "default",
                "52:54:00:00:00:01",
                "10.244.0.7",
                List.of("10.244.0.7"),
                "pod, guest-agent"));
  }

  @Test
  void aNicWithoutAPodAddressTakesTheGuestsIpv4First() {
    VmInterfaceStatus bridge =
        new VmInterfaceStatus("lan", "52:54:00:00:00:02".toUpperCase(), null, null, null);
    assertThat(VmGuestView.withGuest(bridge, GUEST))
        .isEqualTo(
            new VmInterfaceStatus(
                "lan",
                "52:54:00:00:00:02".toUpperCase(),
                "192.168.10.5",
                List.of("fe80::2", "192.168.10.5"),
                "guest-agent"));
  }

  @Test
  void aNicTheGuestDoesNotReportStaysAsItIs() {
    VmInterfaceStatus other = new VmInterfaceStatus("x", "52:54:00:00:00:09", null, null, null);
    assertThat(VmGuestView.withGuest(other, GUEST)).isSameAs(other);
    assertThat(VmGuestView.withGuest(other, null)).isSameAs(other);
  }

  @Test
  void agentConnectedFollowsTheNodeAgentsWord() {
    assertThat(VmGuestView.agentConnected(GUEST))
        .contains(
            new Conditions.Wanted(
                VmConditions.AGENT_CONNECTED,
                true,
                "GuestAgentConnected",
                "qemu-guest-agent answers"));
    GuestStatus gone = new GuestStatus("p-1", false, "no answer", null, null, null, null, null);
    assertThat(VmGuestView.agentConnected(gone))
        .contains(
            new Conditions.Wanted(
                VmConditions.AGENT_CONNECTED, false, "GuestAgentNotConnected", "no answer"));
    assertThat(VmGuestView.agentConnected(null)).isEmpty();
  }
}
