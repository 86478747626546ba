package io.fastvm.node.guestagent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.api.v1alpha1.GuestInterfaceStatus;
import io.fastvm.api.v1alpha1.GuestStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestStatusesTest {
  static final GuestFacts FACTS =
      new GuestFacts(
          "box",
          new GuestFacts.Os("debian", "Debian GNU/Linux", "12 (bookworm)", "6.1.0-28-amd64"),
          List.of(
              new GuestFacts.Interface(
                  "eth0", "52:54:00:00:00:01", List.of("10.0.2.50/24"), List.of("fe80::1/64"))));

  @Test
  void factsBecomeAConnectedStatusWithEveryAddress() {
    assertThat(GuestStatuses.of("vm-pod", FACTS))
        .isEqualTo(
            new GuestStatus(
                "vm-pod",
                true,
                null,
                "box",
                "Debian GNU/Linux",
                "12 (bookworm)",
                "6.1.0-28-amd64",
                List.of(
                    new GuestInterfaceStatus(
                        "eth0", "52:54:00:00:00:01", List.of("10.0.2.50/24", "fe80::1/64")))));
  }

  @Test
  void aFewMissedAnswersChangeNothingThenTheFactsStayMarkedNotConnected() {
    GuestStatus connected = GuestStatuses.of("vm-pod", FACTS);
    for (int misses = 1; misses < GuestStatuses.MISSES_BEFORE_GONE; misses++) {
      assertThat(GuestStatuses.missed("vm-pod", connected, misses, "no answer"))
          .isSameAs(connected);
    }
    GuestStatus gone =
        GuestStatuses.missed("vm-pod", connected, GuestStatuses.MISSES_BEFORE_GONE, "no answer");
    assertThat(gone.agentConnected()).isFalse();
    assertThat(gone.message()).isEqualTo("no answer");
    assertThat(gone.interfaces()).isEqualTo(connected.interfaces());
    assertThat(gone.hostname()).isEqualTo("box");
  }

  @Test
  void aNewPodStartsWithoutTheOldPodsFacts() {
    GuestStatus old = GuestStatuses.of("vm-pod-1", FACTS);
    GuestStatus fresh = GuestStatuses.missed("vm-pod-2", old, 1, "not up yet");
    assertThat(fresh)
        .isEqualTo(new GuestStatus("vm-pod-2", false, "not up yet", null, null, null, null, null));
  }
}
