package io.fastvm.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PodTapsTest {
  @Test
  void namesFitLinuxsFifteenCharactersForEveryNic() {
    for (int nic = 0; nic < PodTaps.MAX_NICS; nic++) {
      assertThat(List.of(PodTaps.podInterface(nic), PodTaps.bridge(nic), PodTaps.tap(nic)))
          .allSatisfy(name -> assertThat(name).hasSizeLessThanOrEqualTo(15));
    }
    assertThat(PodTaps.tap(3)).isEqualTo("fvtap3");
    assertThatThrownBy(() -> PodTaps.tap(PodTaps.MAX_NICS))
        .hasMessage("NIC index 16 is not in 0..15");
  }

  @Test
  void theBridgeNicsAnnotationGoesBothWays() {
    assertThat(PodTaps.format(List.of(0, 2))).isEqualTo("0,2");
    assertThat(PodTaps.parse("0,2")).containsExactly(0, 2);
    assertThat(PodTaps.parse(null)).isEmpty();
    assertThat(PodTaps.parse(" ")).isEmpty();
    assertThatThrownBy(() -> PodTaps.parse("0,eth1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fastvm.io/bridge-nics \"0,eth1\" is not a list of NIC indexes");
    assertThatThrownBy(() -> PodTaps.parse("99")).hasMessageContaining("NIC index 99");
  }
}
