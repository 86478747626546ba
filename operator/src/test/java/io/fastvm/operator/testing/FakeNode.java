package io.fastvm.operator.testing;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The Node object {@link FakeKubelet} stands for on a real API server ({@link PodStates#NODE}):
 * Ready, with room for VMs, and its Lease renewed like a kubelet's heartbeat, so the node
 * controller neither marks it NotReady nor evicts its pods.
 */
final class FakeNode {
  private FakeNode() {}

  static void register(KubernetesClient client) {
    Map<String, Quantity> capacity =
        Map.of(
            "cpu", new Quantity("64"),
            "memory", new Quantity("256Gi"),
            "pods", new Quantity("1000"),
            "devices.fastvm.io/kvm", new Quantity("1000"),
            "devices.fastvm.io/tun", new Quantity("1000"),
            "devices.fastvm.io/vhost-net", new Quantity("1000"));
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(PodStates.NODE)
            .addToLabels("kubernetes.io/hostname", PodStates.NODE)
            .endMetadata()
            .build();
    try {
      client.nodes().resource(node).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    String now = now();
    Node status =
        new NodeBuilder()
            .withNewMetadata()
            .withName(PodStates.NODE)
            .endMetadata()
            .withNewStatus()
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .withConditions(
                new NodeConditionBuilder()
                    .withType("Ready")
                    .withStatus("True")
                    .withReason("KubeletReady")
                    .withMessage("fake kubelet of the tests")
                    .withLastHeartbeatTime(now)
                    .withLastTransitionTime(now)
                    .build())
            .endStatus()
            .build();
    client.nodes().withName(PodStates.NODE).subresource("status").patch(status);
  }

  /** Renews the node's Lease in kube-node-lease, as the kubelet does every 10 s. */
  static void renew(KubernetesClient client) {
    try {
      client
          .leases()
          .inNamespace("kube-node-lease")
          .resource(
              new LeaseBuilder()
                  .withNewMetadata()
                  .withName(PodStates.NODE)
                  .withNamespace("kube-node-lease")
                  .endMetadata()
                  .withNewSpec()
                  .withHolderIdentity(PodStates.NODE)
                  .withLeaseDurationSeconds(40)
                  .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC))
                  .endSpec()
                  .build())
          .serverSideApply();
    } catch (KubernetesClientException e) {
      // the next beat tries again
    }
  }

  private static String now() {
    return DateTimeFormatter.ISO_INSTANT.format(ZonedDateTime.now(ZoneOffset.UTC).withNano(0));
  }
}
