package io.fastvm.node.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fastvm.contract.PodTaps;
import io.fastvm.node.network.PodBridgePlanner;
import io.fastvm.node.network.PodBridges;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Bridge NICs for every VM pod on this node: watches the node's VM pods and, for each whose {@link
 * PodTaps#BRIDGE_NICS_ANNOTATION} lists NICs, plumbs its network namespace from outside ({@link
 * PodBridges}) once it has one and Multus has added the interfaces, for the pod's group. A pod is
 * plumbed once per network namespace: a sandbox the kubelet makes again gets a new one and is
 * plumbed again. VM pods stay without NET_ADMIN; their launchers wait for the taps.
 */
public final class PodBridgeLoop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PodBridgeLoop.class.getName());

  private final PodBridges bridges;
  private final PodNetworkNamespace netns;
  private final SharedIndexInformer<Pod> pods;

  /** Pod uid → the inode of the network namespace plumbed. */
  private final Map<String, Object> plumbed = new ConcurrentHashMap<>();

  /** Pod uid → the last problem logged, so a pod that stays wrong is not logged every round. */
  private final Map<String, String> reported = new ConcurrentHashMap<>();

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("fastvm-pod-bridges").daemon().factory());

  private PodBridgeLoop(
      KubernetesClient client, String nodeName, PodBridges bridges, PodNetworkNamespace netns) {
    this.bridges = bridges;
    this.netns = netns;
    this.pods =
        VmPodsOnNode.inform(
            client,
            nodeName,
            uid -> {
              plumbed.remove(uid);
              reported.remove(uid);
              netns.forget(uid);
            });
  }

  /**
   * Starts plumbing the VM pods on {@code nodeName}, looking every {@code interval}.
   *
   * @param netns a pod's network namespace as this process can enter it; empty while it has none
   */
  public static PodBridgeLoop start(
      KubernetesClient client,
      String nodeName,
      PodBridges bridges,
      PodNetworkNamespace netns,
      Duration interval) {
    PodBridgeLoop loop = new PodBridgeLoop(client, nodeName, bridges, netns);
    loop.timer.scheduleWithFixedDelay(loop::round, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return loop;
  }

  private void round() {
    for (Pod pod : pods.getStore().list()) {
      try {
        visit(pod);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        // One pod's trouble must not keep the others from their networks; tried again next round.
        report(pod, String.valueOf(e.getMessage()));
      }
    }
  }

  private void visit(Pod pod) throws IOException, InterruptedException {
    String uid = pod.getMetadata().getUid();
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return;
    }
    List<Integer> nics =
        PodTaps.parse(pod.getMetadata().getAnnotations().get(PodTaps.BRIDGE_NICS_ANNOTATION));
    if (nics.isEmpty()) {
      return;
    }
    Optional<Path> namespace = netns.of(pod);
    if (namespace.isEmpty()) {
      return; // no sandbox yet
    }
    Object inode = Files.getAttribute(namespace.get(), "unix:ino");
    if (inode.equals(plumbed.get(uid))) {
      return;
    }
    PodBridgePlanner.Plan plan = bridges.plumb(namespace.get(), nics, group(pod));
    if (plan.waiting().isEmpty()) {
      plumbed.put(uid, inode);
      reported.remove(uid);
      LOG.log(
          System.Logger.Level.INFO,
          "pod {0}/{1}: bridge NICs {2} plumbed",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          nics);
    }
  }

  /** The group the pod runs as (the launcher container's own where it sets one): the taps'. */
  static long group(Pod pod) {
    List<Container> containers = pod.getSpec().getContainers();
    SecurityContext container =
        containers.isEmpty() ? null : containers.get(0).getSecurityContext();
    if (container != null && container.getRunAsGroup() != null) {
      return container.getRunAsGroup();
    }
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    if (podContext != null && podContext.getRunAsGroup() != null) {
      return podContext.getRunAsGroup();
    }
    throw new IllegalArgumentException(
        "no runAsGroup: the taps of a VM pod are made for the group it runs as");
  }

  private void report(Pod pod, String problem) {
    String uid = pod.getMetadata().getUid();
    if (!problem.equals(reported.put(uid, problem))) {
      LOG.log(
          System.Logger.Level.WARNING,
          "pod {0}/{1}: cannot plumb its bridge NICs (tried again): {2}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          problem);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    pods.close();
  }
}
