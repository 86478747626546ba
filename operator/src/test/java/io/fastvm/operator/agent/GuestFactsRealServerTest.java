package io.fastvm.operator.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.GuestInterfaceStatus;
import io.fastvm.api.v1alpha1.GuestStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.MacAddresses;
import io.fastvm.contract.NodeAgentLease;
import io.fastvm.contract.PodLayout;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.node.agent.AgentHeartbeat;
import io.fastvm.node.agent.GuestFactsLoop;
import io.fastvm.node.guest.DebianDisk;
import io.fastvm.node.guest.DebianKernel;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.metrics.AgentMetrics;
import io.fastvm.node.metrics.ProcFs;
import io.fastvm.node.metrics.SampleMeters;
import io.fastvm.node.metrics.VmReader;
import io.fastvm.node.testing.CloudGuest;
import io.fastvm.node.testing.CloudGuestConfig;
import io.fastvm.node.testing.GuestExec;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.Promtool;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.CloudGuestPod;
import io.fastvm.operator.testing.FakeKubelet;
import io.fastvm.operator.testing.OperatorScenario;
import io.fastvm.operator.testing.PodExecution;
import io.fastvm.operator.testing.PodStates;
import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.testcluster.RealApiServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guest facts end to end on a real kube-apiserver: the operator's VM pod runs locally with the real
 * launcher and a real Debian guest running qemu-guest-agent ({@link CloudGuest}); the node agent's
 * {@link GuestFactsLoop} finds the pod on its node, asks the guest agent through the pod's runtime
 * folder, and writes the VM's {@code status.guest}: hostname, OS, and the NIC with the MAC the
 * operator gave it and the address cloud-init set. An address added in the guest shows up; while
 * nothing changes, nothing is written; the operator's own status writes keep the agent's field. The
 * agent's metrics of the VM move with the guest's disk and network I/O, and pass {@code promtool
 * check metrics}.
 */
@ExtendWith(RealApiServer.class)
class GuestFactsRealServerTest {
  static final String NS = TestVms.NS;
  static final String VM = "facts";
  static final Duration POLL = Duration.ofSeconds(1);

  @TempDir Path tmp;
  PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @BeforeAll
  static void guestAvailable() {
    CloudGuest.assumeAvailable();
    Promtool.assumeAvailable();
  }

  @Test
  void theNodeAgentWritesWhatTheGuestAgentSaysAndNothingWhileItStays() throws Exception {
    DebianDisk disk = CloudGuest.disk();
    GuestImage kernel = disk.kernel(DebianKernel.GENERIC);
    try (TestCluster cluster = RealCluster.fresh(RealApiServer.plane(), NS);
        RunningOperator operator =
            RunningOperator.start(cluster.client(), OperatorSettings.defaults());
        FakeKubelet kubelet = FakeKubelet.manual(cluster)) {
      KubernetesClient client = cluster.client();
      Pod pod =
          CloudGuestPod.create(
              client,
              NS,
              new CloudGuestConfig("box-facts"),
              disk,
              CloudGuestPod.vm(VM, NS, kernel.cmdline() + " fastvm.keep-running"));
      PodExecution run = CloudGuestPod.prepare(pod, tmp, disk, kernel, client);
      Path runtime = run.dir(PodLayout.RUNTIME_DIR);
      TestBudget budget = TestBudget.of(CloudGuest.BOOT, "a Debian boot with its guest agent");
      try (LauncherProcess launcher = LauncherProcess.start(run.args(), runtime, Map.of());
          GuestFactsLoop agent =
              GuestFactsLoop.start(client, PodStates.NODE, p -> runtime, POLL, metrics(runtime));
          // Without the agent's heartbeat the operator would not trust AgentConnected.
          AgentHeartbeat heartbeat =
              AgentHeartbeat.start(
                  client,
                  Optional.ofNullable(client.getNamespace()).orElse("default"),
                  PodStates.NODE,
                  "agent",
                  POLL,
                  NodeAgentLease.DURATION)) {
        kubelet.run(NS, pod.getMetadata().getName(), true);
        launcher.awaitLine(TestGuests.READY, budget);

        String mac = MacAddresses.stable(NS, VM, "default");
        GuestStatus guest =
            awaitGuest(
                client, budget, g -> addresses(g, "eth0").contains(CloudGuestConfig.ADDRESS));
        assertThat(guest.agentConnected()).isTrue();
        assertThat(guest.podName()).isEqualTo(pod.getMetadata().getName());
        assertThat(guest.hostname()).isEqualTo("box-facts");
        assertThat(guest.osName()).isEqualTo("Debian GNU/Linux");
        assertThat(guest.kernelRelease()).isEqualTo(kernel.kernelVersion());
        assertThat(guest.interfaces())
            .filteredOn(i -> i.name().equals("eth0"))
            .singleElement()
            .satisfies(i -> assertThat(i.macAddress()).isEqualTo(mac));

        // The operator makes its condition of it, and keeps the field in its own status writes.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    vm(client).getStatus().conditions().stream()
                        .anyMatch(
                            c ->
                                c.getType().equals("AgentConnected")
                                    && c.getStatus().equals("True")));
        assertThat(vm(client).getStatus().guest()).isEqualTo(guest);

        // Nothing changes in the guest: three more rounds of asking write nothing.
        String version = vm(client).getMetadata().getResourceVersion();
        long rounds = agent.rounds();
        await().atMost(Duration.ofSeconds(60)).until(() -> agent.rounds() >= rounds + 3);
        assertThat(vm(client).getMetadata().getResourceVersion())
            .as("the VM's resourceVersion after rounds without change")
            .isEqualTo(version);

        // The agent restarts (a new process, new metrics): the guest has not changed, so the new
        // one writes nothing either, and the VM runs on.
        agent.close();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (GuestFactsLoop restarted =
            GuestFactsLoop.start(client, PodStates.NODE, p -> runtime, POLL, metrics(runtime))) {
          await().atMost(Duration.ofSeconds(60)).until(() -> restarted.rounds() >= 3);
          assertThat(vm(client).getMetadata().getResourceVersion())
              .as("the VM's resourceVersion after the agent restarted")
              .isEqualTo(version);
          addedAddressShowsUp(client, runtime, budget);
          guestIoMovesTheCounters(runtime, budget);
          Promtool.assertChecks(registry.scrape());
        }

        launcher.signal("TERM");
        assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
      }
    }
  }

  /** An address added in the guest shows up. */
  private void addedAddressShowsUp(KubernetesClient client, Path runtime, TestBudget budget)
      throws Exception {
    long started = System.nanoTime();
    GuestExec.run(
        runtime.resolve(RuntimeDir.GUEST_AGENT_SOCKET),
        budget,
        "/usr/sbin/ip",
        "addr",
        "add",
        "10.0.2.60/24",
        "dev",
        "eth0");
    long added = started;
    GuestStatus after =
        awaitGuest(client, budget, g -> addresses(g, "eth0").contains("10.0.2.60/24"));
    // For docs/benchmarks.md (measured, not asserted): the goal is 5 s.
    System.out.printf(
        "the added address was in status.guest %d ms after guest-exec started it%n",
        (System.nanoTime() - added) / 1_000_000);
    assertThat(addresses(after, "eth0")).contains(CloudGuestConfig.ADDRESS, "10.0.2.60/24");
    assertThat(after.agentConnected()).isTrue();
  }

  private AgentMetrics metrics(Path runtime) {
    return new AgentMetrics(
        new SampleMeters(registry), new VmReader(ProcFs.host(), POLL), runtime, PodStates.NODE);
  }

  /**
   * The guest writes and reads 16 MiB on its root disk (direct I/O, past its page cache) and sends
   * 500 UDP datagrams of 1000 bytes: the agent's counters move by that much, give or take the file
   * system's own writes and the guest's other traffic.
   */
  private void guestIoMovesTheCounters(Path runtime, TestBudget budget) throws Exception {
    Path socket = runtime.resolve(RuntimeDir.GUEST_AGENT_SOCKET);
    await()
        .atMost(budget.left("the VM's first metrics"))
        .until(() -> counter("fastvm.vmi.network.transmit.bytes", "interface", "eth0") >= 0);
    double written = counter("fastvm.vmi.storage.write.traffic.bytes", "drive", "root");
    double flushes = counter("fastvm.vmi.storage.flush.requests", "drive", "root");
    GuestExec.run(
        socket,
        budget,
        "/usr/bin/dd",
        "if=/dev/zero",
        "of=/var/tmp/io",
        "bs=1M",
        "count=16",
        "oflag=direct",
        "conv=fsync");
    double read = counter("fastvm.vmi.storage.read.traffic.bytes", "drive", "root");
    GuestExec.run(
        socket, budget, "/usr/bin/dd", "if=/var/tmp/io", "of=/dev/null", "bs=1M", "iflag=direct");
    double sentBytes = counter("fastvm.vmi.network.transmit.bytes", "interface", "eth0");
    double sentPackets = counter("fastvm.vmi.network.transmit.packets", "interface", "eth0");
    GuestExec.run(
        socket,
        budget,
        "/usr/bin/python3",
        "-c",
        "import socket\n"
            + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "for _ in range(500): s.sendto(b'x' * 1000, ('10.0.2.2', 9))\n");
    long mib = 1 << 20;
    awaitGrowth(
        "fastvm.vmi.storage.write.traffic.bytes",
        "drive",
        "root",
        written,
        16 * mib,
        24 * mib,
        budget);
    awaitGrowth(
        "fastvm.vmi.storage.read.traffic.bytes", "drive", "root", read, 16 * mib, 24 * mib, budget);
    awaitGrowth("fastvm.vmi.storage.flush.requests", "drive", "root", flushes, 1, 1000, budget);
    // Each datagram: 1000 bytes, 8 UDP, 20 IPv4 and 14 Ethernet header bytes.
    awaitGrowth(
        "fastvm.vmi.network.transmit.bytes",
        "interface",
        "eth0",
        sentBytes,
        500 * 1042,
        500 * 1042 + 100_000,
        budget);
    awaitGrowth(
        "fastvm.vmi.network.transmit.packets", "interface", "eth0", sentPackets, 500, 600, budget);
    assertThat(counter("fastvm.vmi.vcpu.seconds", "id", "0")).isPositive();
    assertThat(registry.get("fastvm.vmi.memory.resident.bytes").gauge().value()).isPositive();
  }

  /**
   * Waits for the counter to grow by at least {@code least}, then checks it grew by at most {@code
   * most}.
   */
  private void awaitGrowth(
      String name,
      String tag,
      String value,
      double before,
      long least,
      long most,
      TestBudget budget) {
    await()
        .atMost(budget.left(name))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> counter(name, tag, value) - before >= least);
    assertThat(counter(name, tag, value) - before)
        .as(name + " grew by")
        .isBetween((double) least, (double) most);
  }

  private double counter(String name, String tag, String value) {
    var counter = registry.find(name).tag(tag, value).functionCounter();
    return counter == null ? -1 : counter.count();
  }

  private static VirtualMachine vm(KubernetesClient client) {
    return client.resources(VirtualMachine.class).inNamespace(NS).withName(VM).get();
  }

  private static java.util.List<String> addresses(GuestStatus guest, String nic) {
    return Optional.ofNullable(guest.interfaces()).orElse(java.util.List.of()).stream()
        .filter(i -> nic.equals(i.name()))
        .findFirst()
        .map(GuestInterfaceStatus::ipAddresses)
        .orElse(java.util.List.of());
  }

  private static GuestStatus awaitGuest(
      KubernetesClient client, TestBudget budget, Predicate<GuestStatus> test) {
    return OperatorScenario.awaitStatus(
        "status.guest of VM " + VM,
        budget.left("the VM's status.guest"),
        () -> {
          VirtualMachine vm = vm(client);
          return vm == null || vm.getStatus() == null ? null : vm.getStatus().guest();
        },
        test);
  }
}
