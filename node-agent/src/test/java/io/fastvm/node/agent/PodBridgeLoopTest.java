package io.fastvm.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** The group the agent makes a VM pod's taps for. */
class PodBridgeLoopTest {
  @Test
  void theTapsGroupIsThePodsUnlessItsLauncherContainerSetsOne() {
    assertThat(PodBridgeLoop.group(pod(107L, null))).isEqualTo(107);
    assertThat(PodBridgeLoop.group(pod(107L, 2000L))).isEqualTo(2000);
    assertThatThrownBy(() -> PodBridgeLoop.group(pod(null, null)))
        .hasMessageContaining("no runAsGroup");
  }

  private static Pod pod(Long podGroup, Long containerGroup) {
    return new PodBuilder()
        .withNewSpec()
        .withNewSecurityContext()
        .withRunAsGroup(podGroup)
        .endSecurityContext()
        .addNewContainer()
        .withName("vm")
        .withNewSecurityContext()
        .withRunAsGroup(containerGroup)
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .build();
  }
}
