package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.testing.FakeKubelet;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * An operator restart in the middle of things, against an API server (the mock and a real one, see
 * the subclasses): the first operator is stopped, the world changes while no operator runs, a
 * second operator (new process state, new client, fresh informers) takes over. No duplicate pods,
 * no VM lost, status converges.
 */
abstract class OperatorRestartScenario {

  /** The cluster of one test: a new mock server, or a real server with fresh namespaces. */
  abstract TestCluster newCluster();

  static final String NS = TestVms.NS;
  static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aNewOperatorTakesOverWithoutDuplicatesAndConverges() throws Exception {
    try (TestCluster cluster = newCluster();
        FakeKubelet kubelet = FakeKubelet.watching(cluster, true, true)) {
      KubernetesClient client = cluster.client();
      List<String> names = IntStream.range(0, 8).mapToObj(i -> "vm" + i).toList();
      for (String name : names) {
        Volume volume = client.resource(TestVms.volume(name + "-root")).create();
        volume.setStatus(TestVms.readyStatus(name + "-pvc"));
        client.resource(volume).updateStatus();
        client
            .resource(TestVms.newVm(name, TestVms.spec().disk("root", name + "-root").build()))
            .create();
      }

      KubernetesClient firstClient = cluster.newClient();
      RunningOperator first = RunningOperator.start(firstClient, OperatorSettings.defaults());
      await()
          .atMost(WAIT)
          .until(
              () -> names.stream().allMatch(n -> printable(client, n) == PrintableStatus.RUNNING));
      first.close();
      firstClient.close();

      // While no operator runs: a pod is deleted, a guest powers off, a VM is halted, a spec
      // changes, a new VM appears.
      Map<String, String> podOf =
          names.stream().collect(Collectors.toMap(n -> n, n -> status(client, n).podName()));
      kubelet.vanish(NS, podOf.get("vm0"));
      kubelet.exit(NS, podOf.get("vm1"), 0, "guest powered off");
      patchSpec(client, "vm2", "{\"spec\":{\"runStrategy\":\"Halted\"}}");
      patchSpec(client, "vm3", "{\"spec\":{\"memory\":\"2Gi\"}}");
      Volume extra = client.resource(TestVms.volume("vm8-root")).create();
      extra.setStatus(TestVms.readyStatus("vm8-pvc"));
      client.resource(extra).updateStatus();
      client
          .resource(TestVms.newVm("vm8", TestVms.spec().disk("root", "vm8-root").build()))
          .create();

      KubernetesClient secondClient = cluster.newClient();
      try (RunningOperator second =
          RunningOperator.start(secondClient, OperatorSettings.defaults())) {
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> {
                  for (String name :
                      List.of("vm0", "vm1", "vm3", "vm4", "vm5", "vm6", "vm7", "vm8")) {
                    assertThat(printable(client, name)).as(name).isEqualTo(PrintableStatus.RUNNING);
                  }
                  assertThat(printable(client, "vm2")).isEqualTo(PrintableStatus.STOPPED);
                });
        // Exactly one pod holds each running VM, none the halted one; untouched VMs kept theirs.
        for (String name : List.of("vm0", "vm1", "vm3", "vm4", "vm5", "vm6", "vm7", "vm8")) {
          assertThat(active(client, name)).as(name).hasSize(1);
        }
        assertThat(active(client, "vm2")).isEmpty();
        for (String name : List.of("vm3", "vm4", "vm5", "vm6", "vm7")) {
          assertThat(status(client, name).podName()).isEqualTo(podOf.get(name));
        }
        assertThat(status(client, "vm0").podName()).isNotEqualTo(podOf.get("vm0"));
        assertThat(
                Conditions.find(status(client, "vm3").conditions(), VmConditions.RESTART_REQUIRED))
            .isPresent();
        // And it stays so: no second thoughts after the caches settle.
        await()
            .during(Duration.ofSeconds(2))
            .atMost(WAIT)
            .until(() -> names.stream().allMatch(n -> active(client, n).size() <= 1));
      }
      secondClient.close();
    }
  }

  private static VirtualMachine vm(KubernetesClient client, String name) {
    return client.resources(VirtualMachine.class).inNamespace(NS).withName(name).get();
  }

  private static io.fastvm.api.v1alpha1.VirtualMachineStatus status(
      KubernetesClient client, String name) {
    return vm(client, name).getStatus();
  }

  private static PrintableStatus printable(KubernetesClient client, String name) {
    var status = status(client, name);
    return status == null ? null : status.printableStatus();
  }

  private static List<Pod> active(KubernetesClient client, String name) {
    String uid = vm(client, name).getMetadata().getUid();
    return client
        .pods()
        .inNamespace(NS)
        .withLabel(VmMetadata.VM_UID_LABEL, uid)
        .list()
        .getItems()
        .stream()
        .filter(p -> !new PodView(p).terminal())
        .toList();
  }

  private static void patchSpec(KubernetesClient client, String name, String patch) {
    client
        .resources(VirtualMachine.class)
        .inNamespace(NS)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }
}
