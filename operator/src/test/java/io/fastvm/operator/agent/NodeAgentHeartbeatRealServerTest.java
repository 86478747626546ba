package io.fastvm.operator.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.contract.NodeAgentLease;
import io.fastvm.node.agent.AgentHeartbeat;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.testing.FakeKubelet;
import io.fastvm.operator.testing.OperatorScenario;
import io.fastvm.operator.testing.PodStates;
import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.operator.vm.VmConditions;
import io.fastvm.testcluster.RealApiServer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node agent's heartbeat on a real kube-apiserver: the agent's {@link AgentHeartbeat} renews
 * its Lease, and the operator shows on a running VM whether the agent on its node reports
 * (NodeAgentReady): missing before any agent, reporting once it renews, gone when it stops, back
 * when a new one starts. Renewals write nothing to the VM, and neither the agent's going nor a
 * quick restart touches the VM's pod. Leases last seconds here, not the production 40 s.
 */
@ExtendWith(RealApiServer.class)
class NodeAgentHeartbeatRealServerTest {
  static final String NS = TestVms.NS;
  static final String VM = "beat";
  static final Duration RENEW = Duration.ofMillis(500);
  static final Duration VALID = Duration.ofSeconds(5);
  static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aVmShowsWhetherItsNodeAgentReportsAndAgentRestartsLeaveItAlone() throws Exception {
    try (TestCluster cluster = RealCluster.fresh(RealApiServer.plane(), NS);
        RunningOperator operator =
            RunningOperator.start(cluster.client(), OperatorSettings.defaults());
        FakeKubelet kubelet = FakeKubelet.watching(cluster, true, true)) {
      KubernetesClient client = cluster.client();
      // The operator's namespace as it resolves it without POD_NAMESPACE: the client's.
      String agentNamespace = Optional.ofNullable(client.getNamespace()).orElse("default");
      client.leases().inNamespace(agentNamespace).withName(lease()).delete();
      Volume root = client.resource(TestVms.volume("beat-root")).create();
      root.setStatus(TestVms.readyStatus("beat-root-pvc"));
      client.resource(root).updateStatus();
      client.resource(TestVms.newVm(VM, TestVms.spec().disk("root", "beat-root").build())).create();
      awaitStatus("Running", client, s -> s.printableStatus() == PrintableStatus.RUNNING);

      Condition missing = awaitAgent(client, "NodeAgentMissing");
      assertThat(missing.getStatus()).isEqualTo("False");
      assertThat(missing.getMessage()).contains(PodStates.NODE);
      Pod pod = pod(client);

      try (AgentHeartbeat agent = start(client, agentNamespace, "agent-a")) {
        assertThat(awaitAgent(client, "NodeAgentReporting").getStatus()).isEqualTo("True");
        Lease lease = client.leases().inNamespace(agentNamespace).withName(lease()).get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("agent-a");
        assertThat(lease.getMetadata().getLabels()).containsEntry(NodeAgentLease.LABEL, "true");

        // Renewals over more than a Lease's duration: nothing written to the VM.
        String version = vm(client).getMetadata().getResourceVersion();
        long renewals = agent.renewals();
        long enough = renewals + 2 * VALID.toMillis() / RENEW.toMillis();
        await().atMost(WAIT).until(() -> agent.renewals() >= enough);
        assertThat(vm(client).getMetadata().getResourceVersion())
            .as("the VM's resourceVersion while its agent renews")
            .isEqualTo(version);
      }

      // The agent stops: once its Lease runs out the VM says so, and stays as it is.
      Condition gone = awaitAgent(client, "NodeAgentGone");
      assertThat(gone.getStatus()).isEqualTo("False");
      assertThat(gone.getMessage()).contains(PodStates.NODE, "last reported at");
      assertThat(vm(client).getStatus().printableStatus()).isEqualTo(PrintableStatus.RUNNING);
      assertSamePod(pod, pod(client));

      // A new agent: reporting again.
      try (AgentHeartbeat agent = start(client, agentNamespace, "agent-b")) {
        awaitAgent(client, "NodeAgentReporting");
        await().atMost(WAIT).until(() -> agent.renewals() >= 2);
      }
      // A quick restart (a rolling update) is seen by no one: the VM and its pod stay unwritten.
      String version = vm(client).getMetadata().getResourceVersion();
      try (AgentHeartbeat agent = start(client, agentNamespace, "agent-c")) {
        long enough = 2 * VALID.toMillis() / RENEW.toMillis();
        await().atMost(WAIT).until(() -> agent.renewals() >= enough);
        assertThat(client.leases().inNamespace(agentNamespace).withName(lease()).get())
            .satisfies(l -> assertThat(l.getSpec().getHolderIdentity()).isEqualTo("agent-c"))
            .satisfies(l -> assertThat(l.getSpec().getLeaseTransitions()).isEqualTo(2));
        assertThat(vm(client).getMetadata().getResourceVersion())
            .as("the VM's resourceVersion across an agent restart")
            .isEqualTo(version);
        assertThat(condition(client).map(Condition::getReason)).contains("NodeAgentReporting");
      }
      assertSamePod(pod, pod(client));
      client.leases().inNamespace(agentNamespace).withName(lease()).delete();
    }
  }

  private static AgentHeartbeat start(KubernetesClient client, String namespace, String holder) {
    return AgentHeartbeat.start(client, namespace, PodStates.NODE, holder, RENEW, VALID);
  }

  private static String lease() {
    return NodeAgentLease.name(PodStates.NODE);
  }

  private static void assertSamePod(Pod before, Pod now) {
    assertThat(now.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
    assertThat(now.getMetadata().getDeletionTimestamp()).isNull();
  }

  private static Condition awaitAgent(KubernetesClient client, String reason) {
    awaitStatus(
        "NodeAgentReady " + reason,
        client,
        s ->
            Conditions.find(s.conditions(), VmConditions.NODE_AGENT_READY)
                .filter(c -> reason.equals(c.getReason()))
                .isPresent());
    return condition(client).orElseThrow();
  }

  private static Optional<Condition> condition(KubernetesClient client) {
    return Conditions.find(vm(client).getStatus().conditions(), VmConditions.NODE_AGENT_READY);
  }

  private static VirtualMachineStatus awaitStatus(
      String what, KubernetesClient client, java.util.function.Predicate<VirtualMachineStatus> t) {
    return OperatorScenario.awaitStatus(what, WAIT, () -> vm(client).getStatus(), t);
  }

  private static VirtualMachine vm(KubernetesClient client) {
    return client.resources(VirtualMachine.class).inNamespace(NS).withName(VM).get();
  }

  private static Pod pod(KubernetesClient client) {
    String name = vm(client).getStatus().podName();
    return client.pods().inNamespace(NS).withName(name).get();
  }
}
