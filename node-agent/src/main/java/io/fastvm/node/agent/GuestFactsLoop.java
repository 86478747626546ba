package io.fastvm.node.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fastvm.api.v1alpha1.GuestStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.contract.PodLayout;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.node.guestagent.GuestFacts;
import io.fastvm.node.metrics.AgentMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Guest facts for every running VM pod on this node: watches the node's VM pods (label {@link
 * PodLayout#VM_UID_LABEL}, field {@code spec.nodeName}), keeps a {@link GuestWatch} per running
 * pod, polls them all every {@code interval}, and writes each VM's {@code status.guest} with a
 * merge patch of that field alone when it changed. The guest agent socket of a pod is found through
 * the kubelet's folder of its runtime emptyDir ({@code runtimeDir}), so VM pods need no new
 * privileges. Each visit also reads the VM's metrics ({@link AgentMetrics}), and each round the
 * node's.
 */
public final class GuestFactsLoop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(GuestFactsLoop.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final Function<Pod, Path> runtimeDir;
  private final Duration timeout;
  private final AgentMetrics metrics;
  private final Map<String, GuestWatch> watches = new ConcurrentHashMap<>();
  private final AtomicLong rounds = new AtomicLong();
  private final SharedIndexInformer<Pod> pods;
  private final ScheduledExecutorService polls =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("fastvm-guest-facts").daemon().factory());

  private GuestFactsLoop(
      KubernetesClient client,
      String nodeName,
      Function<Pod, Path> runtimeDir,
      Duration interval,
      AgentMetrics metrics) {
    this.client = client;
    this.runtimeDir = runtimeDir;
    this.timeout = interval;
    this.metrics = metrics;
    this.pods = VmPodsOnNode.inform(client, nodeName, uid -> watches.remove(uid));
  }

  /**
   * Starts watching the VM pods on {@code nodeName}.
   *
   * @param runtimeDir the folder of a pod's runtime emptyDir, as this process sees it
   * @param interval how often every guest is asked (also each command's timeout)
   * @param metrics where each VM's and the node's figures go
   */
  public static GuestFactsLoop start(
      KubernetesClient client,
      String nodeName,
      Function<Pod, Path> runtimeDir,
      Duration interval,
      AgentMetrics metrics) {
    GuestFactsLoop loop = new GuestFactsLoop(client, nodeName, runtimeDir, interval, metrics);
    loop.polls.scheduleWithFixedDelay(loop::pollAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return loop;
  }

  /** The kubelet's folder of a pod's runtime emptyDir under {@code podsDir}. */
  public static Function<Pod, Path> kubeletFolders(Path podsDir) {
    return pod ->
        podsDir
            .resolve(pod.getMetadata().getUid())
            .resolve("volumes")
            .resolve("kubernetes.io~empty-dir")
            .resolve(PodLayout.RUNTIME_VOLUME);
  }

  private void pollAll() {
    metrics.readNode();
    Set<String> running = new HashSet<>();
    for (Pod pod : pods.getStore().list()) {
      if (!"Running".equals(pod.getStatus() == null ? null : pod.getStatus().getPhase())) {
        continue;
      }
      Optional<String> vm = vmName(pod);
      if (vm.isEmpty()) {
        continue;
      }
      String uid = pod.getMetadata().getUid();
      running.add(uid);
      try {
        GuestFacts facts = watches.computeIfAbsent(uid, u -> watch(pod, vm.get())).poll();
        metrics.readVm(
            uid,
            pod.getMetadata().getNamespace(),
            vm.get(),
            runtimeDir.apply(pod),
            facts == null ? null : facts.traffic());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // One VM's trouble (its API object, say) must not keep the others' facts from being read.
        LOG.log(
            System.Logger.Level.WARNING,
            "guest facts of pod " + pod.getMetadata().getName() + " failed",
            e);
      }
    }
    metrics.retain(running);
    rounds.incrementAndGet();
  }

  /** Rounds over all pods so far (for tests that wait for a quiet round). */
  public long rounds() {
    return rounds.get();
  }

  private GuestWatch watch(Pod pod, String vmName) {
    String namespace = pod.getMetadata().getNamespace();
    VirtualMachine vm =
        client.resources(VirtualMachine.class).inNamespace(namespace).withName(vmName).get();
    GuestStatus current = vm == null || vm.getStatus() == null ? null : vm.getStatus().guest();
    return new GuestWatch(
        pod.getMetadata().getName(),
        runtimeDir.apply(pod).resolve(RuntimeDir.GUEST_AGENT_SOCKET),
        current,
        timeout,
        status -> write(namespace, vmName, status));
  }

  /** Merge-patches status.guest alone: the operator owns every other status field. */
  private boolean write(String namespace, String vmName, GuestStatus status) {
    ObjectNode guest = JSON.valueToTree(status);
    // Absent fields are explicit nulls: a merge patch deletes them, so the object is replaced.
    for (var field : GuestStatus.class.getRecordComponents()) {
      if (!guest.has(field.getName())) {
        guest.putNull(field.getName());
      }
    }
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("status").set("guest", guest);
    try {
      client
          .resources(VirtualMachine.class)
          .inNamespace(namespace)
          .withName(vmName)
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
      return true;
    } catch (KubernetesClientException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot write the guest status of " + namespace + "/" + vmName + ": " + e.getMessage());
      return false;
    }
  }

  private static Optional<String> vmName(Pod pod) {
    return pod.getMetadata().getOwnerReferences().stream()
        .filter(o -> "VirtualMachine".equals(o.getKind()))
        .map(OwnerReference::getName)
        .findFirst();
  }

  @Override
  public void close() {
    polls.shutdownNow();
    pods.close();
    watches.clear();
  }
}
