package io.fastvm.node.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fastvm.contract.DeviceResource;
import io.fastvm.contract.NodeAgentLease;
import io.fastvm.node.device.DeviceHealth;
import io.fastvm.node.device.DevicePlugins;
import io.fastvm.node.device.KvmHealth;
import io.fastvm.node.device.OpenableDevice;
import io.fastvm.node.labels.CpuModels;
import io.fastvm.node.labels.NodeLabeller;
import io.fastvm.node.metrics.AgentMetrics;
import io.fastvm.node.metrics.MetricsEndpoint;
import io.fastvm.node.metrics.ProcFs;
import io.fastvm.node.metrics.SampleMeters;
import io.fastvm.node.metrics.VmReader;
import io.fastvm.node.network.PodBridges;
import io.fastvm.node.qemu.KvmProbe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fastvm-node-agent}: the node agent DaemonSet's process. Until SIGTERM it serves the
 * kubelet device plugins for the devices VM pods request instead of privileges ({@link
 * DeviceResource}), and, given its node's name, writes the guest facts of the VMs on the node
 * ({@link GuestFactsLoop}), serves their metrics and the node's at {@code /metrics}, and keeps the
 * node's heartbeat Lease fresh ({@link AgentHeartbeat}).
 */
@Command(
    name = "fastvm-node-agent",
    mixinStandardHelpOptions = true,
    description =
        "fastvm's node agent: device plugins for /dev/kvm, /dev/net/tun, /dev/vhost-net; guest"
            + " facts and metrics of the node's VMs.")
public final class NodeAgentMain implements Callable<Integer> {

  @Option(
      names = "--device-plugin-dir",
      description = "The kubelet's device plugin folder (default: ${DEFAULT-VALUE}).")
  Path pluginDir = Path.of("/var/lib/kubelet/device-plugins");

  @Option(
      names = "--device-slots",
      description = "Pods that may share each device on this node (default: ${DEFAULT-VALUE}).")
  int slots = 1000;

  @Option(
      names = "--check-interval-seconds",
      description =
          "How often device health and kubelet restarts are checked (default: ${DEFAULT-VALUE}).")
  int checkSeconds = 5;

  @Option(names = "--qemu", description = "QEMU for the KVM probe (default: ${DEFAULT-VALUE}).")
  Path qemu = Path.of("qemu-system-x86_64");

  @Option(
      names = "--kvm-probe-timeout-seconds",
      description =
          "A KVM that has not run the probe's guest code by then is unhealthy (default:"
              + " ${DEFAULT-VALUE}).")
  int kvmProbeSeconds = 10;

  @Option(
      names = "--cache-dir",
      description = "Where the KVM probe's answer is kept per host boot (default: none).")
  Path cacheDir;

  @Option(
      names = "--node-name",
      description =
          "This node's name (the DaemonSet passes spec.nodeName); with it the agent writes the"
              + " guest facts of the VMs on this node into their status.")
  String nodeName;

  @Option(
      names = "--pods-dir",
      description = "The kubelet's pod folder, read-only (default: ${DEFAULT-VALUE}).")
  Path podsDir = Path.of("/var/lib/kubelet/pods");

  @Option(
      names = "--guest-poll-seconds",
      description = "How often each guest agent is asked (default: ${DEFAULT-VALUE}).")
  int guestPollSeconds = 2;

  @Option(
      names = "--bridge-poll-millis",
      description =
          "How often VM pods are checked for bridge NICs to plumb; a waiting VM starts this much"
              + " later at most (default: ${DEFAULT-VALUE}).")
  int bridgePollMillis = 500;

  @Option(
      names = "--metrics-address",
      description = "Address of /metrics, served with the node's name (default: ${DEFAULT-VALUE}).")
  String metricsAddress = "0.0.0.0";

  @Option(
      names = "--metrics-port",
      description = "Port of /metrics; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int metricsPort = 9464;

  @Option(
      names = "--namespace",
      description =
          "Namespace of this node's heartbeat Lease, the installation's (default: POD_NAMESPACE,"
              + " else the client's).")
  String namespace;

  @Option(
      names = "--pod-name",
      description = "Who renews the heartbeat Lease (default: POD_NAME, else the host name).")
  String podName;

  @Option(
      names = "--label-interval-seconds",
      description =
          "How often the node's labels (KVM, CPU models) are checked (default: ${DEFAULT-VALUE}).")
  int labelSeconds = 60;

  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    System.exit(new CommandLine(new NodeAgentMain()).execute(args));
  }

  /** The device plugins this agent serves. */
  List<DevicePlugins.Served> devices() {
    return List.of(DeviceResource.values()).stream()
        .map(resource -> new DevicePlugins.Served(resource, path(resource), health(resource)))
        .toList();
  }

  private static Path path(DeviceResource resource) {
    return Path.of(resource.devicePath());
  }

  private DeviceHealth health(DeviceResource resource) {
    return resource == DeviceResource.KVM
        ? new KvmHealth(new KvmProbe(qemu, cacheDir, Duration.ofSeconds(kvmProbeSeconds)))
        : new OpenableDevice(path(resource));
  }

  /** Starts the device plugins; closing the result stops them. */
  DevicePlugins start() throws InterruptedException {
    return DevicePlugins.start(pluginDir, devices(), slots, Duration.ofSeconds(checkSeconds));
  }

  @Override
  public Integer call() throws InterruptedException, IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (DevicePlugins plugins = start();
        KubernetesClient client = nodeName == null ? null : new KubernetesClientBuilder().build();
        MetricsEndpoint endpoint =
            client == null
                ? null
                : MetricsEndpoint.start(
                    new InetSocketAddress(metricsAddress, metricsPort), registry);
        GuestFactsLoop facts = client == null ? null : guestFacts(client, registry);
        AgentHeartbeat heartbeat = client == null ? null : heartbeat(client);
        NodeLabelLoop labels = client == null ? null : labels(client);
        PodBridgeLoop bridges = client == null ? null : bridges(client)) {
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return 0;
  }

  private NodeLabelLoop labels(KubernetesClient client) {
    return NodeLabelLoop.start(
        new NodeLabeller(client, nodeName),
        health(DeviceResource.KVM),
        new CpuModels(qemu, Duration.ofSeconds(kvmProbeSeconds)),
        Duration.ofSeconds(labelSeconds));
  }

  /** The agent runs in the host's PID namespace: a pod's processes show its network namespace. */
  private PodBridgeLoop bridges(KubernetesClient client) {
    return PodBridgeLoop.start(
        client,
        nodeName,
        new PodBridges(),
        PodNetworkNamespace.of(ProcFs.host()),
        Duration.ofMillis(bridgePollMillis));
  }

  private AgentHeartbeat heartbeat(KubernetesClient client) {
    String ns = firstNonBlank(namespace, System.getenv("POD_NAMESPACE"), client.getNamespace());
    String holder = firstNonBlank(podName, System.getenv("POD_NAME"), System.getenv("HOSTNAME"));
    return AgentHeartbeat.start(
        client,
        ns == null ? "default" : ns,
        nodeName,
        holder == null ? nodeName : holder,
        NodeAgentLease.RENEW_INTERVAL,
        NodeAgentLease.DURATION);
  }

  private static String firstNonBlank(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }

  private GuestFactsLoop guestFacts(KubernetesClient client, MeterRegistry registry) {
    Duration interval = Duration.ofSeconds(guestPollSeconds);
    AgentMetrics metrics =
        new AgentMetrics(
            new SampleMeters(registry), new VmReader(ProcFs.host(), interval), podsDir, nodeName);
    return GuestFactsLoop.start(
        client, nodeName, GuestFactsLoop.kubeletFolders(podsDir), interval, metrics);
  }
}
