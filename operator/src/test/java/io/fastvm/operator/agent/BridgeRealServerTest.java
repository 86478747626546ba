package io.fastvm.operator.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.PodLayout;
import io.fastvm.contract.PodTaps;
import io.fastvm.node.agent.PodBridgeLoop;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.network.PodBridges;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.SerialShell;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestLan;
import io.fastvm.node.testing.TestNetns;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.FakeKubelet;
import io.fastvm.operator.testing.PodExecution;
import io.fastvm.operator.testing.PodStates;
import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.operator.vm.VmPod;
import io.fastvm.testcluster.RealApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bridge network end to end on a real kube-apiserver: the operator makes the VM's pod with the
 * Multus annotation and its bridge NICs; the pod runs locally with the real launcher in a network
 * namespace made as the pod's, whose Multus interface {@code net0} is a port of a LAN bridge
 * ({@link TestLan}), in the pod's group and without any capability. The launcher waits; the node
 * agent's {@link PodBridgeLoop}, seeing the pod on its node, makes the tap for the pod's group and
 * bridges it, and the busybox guest boots and reaches a host on the LAN.
 */
@ExtendWith(RealApiServer.class)
class BridgeRealServerTest {
  static final String MAC = "52:54:00:12:34:80";

  @TempDir Path tmp;

  @BeforeAll
  static void available() {
    TestNetns.assumeAvailable();
  }

  @Test
  void theNodeAgentPlumbsTheOperatorsPodAndTheGuestReachesTheLan() throws Exception {
    GuestImage guest = TestGuests.interactiveGuest();
    TestBudget budget = TestBudget.of(Duration.ofMinutes(4), "a busybox boot under TCG");
    try (TestCluster cluster = RealCluster.fresh(RealApiServer.plane(), TestVms.NS);
        RunningOperator operator =
            RunningOperator.start(cluster.client(), OperatorSettings.defaults());
        FakeKubelet kubelet = FakeKubelet.manual(cluster);
        TestLan lan = TestLan.create()) {
      KubernetesClient client = cluster.client();
      String ns = TestVms.NS;
      TestVms.createKernelBootVolumes(client);
      client
          .resource(
              client
                  .getKubernetesSerialization()
                  .unmarshal(
                      """
                      apiVersion: fastvm.io/v1alpha1
                      kind: VirtualMachine
                      metadata: {name: bridged, namespace: %s}
                      spec:
                        accelerator: tcg
                        memory: 256Mi
                        kernelBoot: {kernel: kernel, initrd: initrd, cmdline: 'console=ttyS0 quiet'}
                        networks:
                          - {name: lan, type: bridge, networkAttachment: infra/lan, macAddress: "%s"}
                        display: {type: none}
                      """
                          .formatted(ns, MAC),
                      VirtualMachine.class))
          .create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.pods().inNamespace(ns).list().getItems().size() == 1);
      Pod pod = client.pods().inNamespace(ns).list().getItems().get(0);
      String name = pod.getMetadata().getName();
      assertThat(pod.getMetadata().getAnnotations())
          .containsEntry(PodTaps.BRIDGE_NICS_ANNOTATION, "0")
          .containsEntry(
              "k8s.v1.cni.cncf.io/networks",
              "[{\"name\":\"lan\",\"namespace\":\"infra\",\"interface\":\"net0\"}]");

      String podNetns = lan.pod();
      lan.address("192.168.77.1/24");
      PodExecution run = PodExecution.kernelBoot(pod, tmp.resolve("pod"), guest, client);
      Path runtime = run.dir(PodLayout.RUNTIME_DIR);
      try (LauncherProcess launcher =
          LauncherProcess.start(
              TestLan.asVmPod(podNetns, VmPod.QEMU_UID), run.args(), runtime, Map.of())) {
        kubelet.run(ns, name, false);
        launcher.awaitLine("waiting for the node agent to make tap " + PodTaps.tap(0), budget);
        try (PodBridgeLoop agent =
            PodBridgeLoop.start(
                client,
                PodStates.NODE,
                new PodBridges(),
                p ->
                    p.getMetadata().getUid().equals(pod.getMetadata().getUid())
                        ? Optional.of(TestLan.netns(podNetns))
                        : Optional.empty(),
                Duration.ofMillis(200))) {
          launcher.awaitLine("network lan: bridged through tap " + PodTaps.tap(0), budget);
          launcher.awaitLine(TestGuests.READY, budget);
          try (SerialShell shell = SerialShell.connect(launcher, runtime)) {
            shell.run(SerialShell.address("192.168.77.10/24"), budget);
            shell.run("ping -c 1 -W 5 192.168.77.1", budget);
          }
          assertThat(lan.forwardingDatabase()).contains(MAC);
          // Made for the group of the operator's pod, no owner: QEMU opened it by that group.
          assertThat(TestLan.tapOwner(podNetns, PodTaps.tap(0))).isEqualTo("-1:" + VmPod.QEMU_UID);
        }

        launcher.awaitLine("power-button watching", budget);
        launcher.signal("TERM");
        assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
      }
    }
  }
}
