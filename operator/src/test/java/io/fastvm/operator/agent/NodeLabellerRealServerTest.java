package io.fastvm.operator.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.node.agent.NodeLabelLoop;
import io.fastvm.node.device.DeviceHealth;
import io.fastvm.node.labels.CpuModels;
import io.fastvm.node.labels.NodeFeatures;
import io.fastvm.node.labels.NodeLabeller;
import io.fastvm.node.process.Executables;
import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.testcluster.RealApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node agent's labels of what its node offers, on a real kube-apiserver: applied once, then no
 * writes while nothing changes; a stale CPU model label goes and a changed KVM verdict shows, while
 * a label of someone else stays.
 */
@ExtendWith(RealApiServer.class)
class NodeLabellerRealServerTest {

  @Test
  void labelsTheNodeOnceAndFixesWhatChanged() throws Exception {
    try (TestCluster cluster = RealCluster.fresh(RealApiServer.plane())) {
      KubernetesClient client = cluster.client();
      String name = "labels-" + UUID.randomUUID().toString().substring(0, 8);
      client
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .addToLabels("kubernetes.io/hostname", name)
                  .addToLabels("example.com/team", "blue")
                  .endMetadata()
                  .build())
          .create();
      try {
        NodeLabeller labeller = new NodeLabeller(client, name);
        NodeFeatures tcg = new NodeFeatures(false, new TreeSet<>(List.of("max", "qemu64")));

        assertThat(labeller.apply(tcg)).as("the first call writes").isTrue();
        Node labelled = client.nodes().withName(name).get();
        assertThat(labelled.getMetadata().getLabels())
            .containsEntry("fastvm.io/kvm", "false")
            .containsEntry("cpu-model.fastvm.io/max", "true")
            .containsEntry("cpu-model.fastvm.io/qemu64", "true")
            .containsEntry("example.com/team", "blue")
            .containsEntry("kubernetes.io/hostname", name);

        String version = labelled.getMetadata().getResourceVersion();
        assertThat(labeller.apply(tcg)).as("nothing changed: no write").isFalse();
        assertThat(client.nodes().withName(name).get().getMetadata().getResourceVersion())
            .isEqualTo(version);

        // Someone (an older agent) left a model that is no longer offered; KVM now works.
        client
            .nodes()
            .withName(name)
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"cpu-model.fastvm.io/foo\":\"true\"}}}");
        NodeFeatures kvm = new NodeFeatures(true, new TreeSet<>(List.of("host", "max", "qemu64")));
        assertThat(labeller.apply(kvm)).isTrue();
        Map<String, String> fixed = client.nodes().withName(name).get().getMetadata().getLabels();
        assertThat(fixed)
            .containsEntry("fastvm.io/kvm", "true")
            .containsEntry("cpu-model.fastvm.io/host", "true")
            .containsEntry("cpu-model.fastvm.io/max", "true")
            .containsEntry("cpu-model.fastvm.io/qemu64", "true")
            .doesNotContainKey("cpu-model.fastvm.io/foo")
            .containsEntry("example.com/team", "blue")
            .containsEntry("kubernetes.io/hostname", name)
            .hasSize(6);
        assertThat(labeller.apply(kvm)).isFalse();
      } finally {
        client.nodes().withName(name).delete();
      }
      assertThatThrownBy(
              () -> new NodeLabeller(client, name).apply(new NodeFeatures(false, new TreeSet<>())))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(name);
    }
  }

  /**
   * The agent's loop with the machine's real QEMU (TCG, KVM reported unhealthy as it is here): the
   * node gets QEMU's models, and a label someone removes is back within a round.
   */
  @Test
  void theAgentsLoopLabelsWithWhatQemuSaysAndPutsBackWhatWasRemoved() throws Exception {
    Optional<Path> qemu = Executables.find("qemu-system-x86_64", "FASTVM_QEMU");
    Assumptions.assumeTrue(qemu.isPresent(), "needs qemu-system-x86_64 (Debian's qemu-system-x86)");
    try (TestCluster cluster = RealCluster.fresh(RealApiServer.plane())) {
      KubernetesClient client = cluster.client();
      String name = "labels-" + UUID.randomUUID().toString().substring(0, 8);
      client
          .nodes()
          .resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
      try (NodeLabelLoop loop =
          NodeLabelLoop.start(
              new NodeLabeller(client, name),
              () -> DeviceHealth.Verdict.unhealthy("KVM hangs here"),
              new CpuModels(qemu.get(), Duration.ofSeconds(60)),
              Duration.ofMillis(500))) {
        await().atMost(Duration.ofSeconds(90)).until(() -> loop.rounds() >= 1);
        assertThat(client.nodes().withName(name).get().getMetadata().getLabels())
            .containsEntry("fastvm.io/kvm", "false")
            .containsEntry("cpu-model.fastvm.io/qemu64", "true")
            .containsEntry("cpu-model.fastvm.io/max", "true")
            .doesNotContainKey("cpu-model.fastvm.io/host");
        client
            .nodes()
            .withName(name)
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"cpu-model.fastvm.io/max\":null}}}");
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    client
                        .nodes()
                        .withName(name)
                        .get()
                        .getMetadata()
                        .getLabels()
                        .containsKey("cpu-model.fastvm.io/max"));
      } finally {
        client.nodes().withName(name).delete();
      }
    }
  }
}
