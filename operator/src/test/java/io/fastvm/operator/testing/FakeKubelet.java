package io.fastvm.operator.testing;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.operator.vm.VmMetadata;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the kubelet (and scheduler) for a cluster without nodes: the mock API server, or the real
 * control plane of dev/kube (which has no kubelet yet, and runs here without its scheduler). Tests
 * drive pods explicitly ({@link #run}, {@link #exit}, ...); in auto mode it also runs every new VM
 * pod and, with graceful termination on, lets deleted pods end as the guest powered off before they
 * go — as a real kubelet does while the launcher shuts the guest down.
 *
 * <p>On the mock it sets {@code spec.nodeName} and holds deleted pods with a finalizer. On a real
 * server it does what a kubelet does there: binds pods through the binding subresource to a Node
 * object it keeps Ready (status and Lease heartbeats, so the node controller never evicts), and
 * confirms a graceful deletion with a delete of grace period 0 once the pod has ended.
 */
public final class FakeKubelet implements AutoCloseable {
  static final String FINALIZER = "test.fastvm.io/kubelet";

  private final KubernetesClient client;
  private final boolean realServer;
  private final ExecutorService worker;
  private final boolean autoRun;
  private final boolean graceful;
  private final ScheduledExecutorService heartbeat;
  private Watch watch;

  private FakeKubelet(
      KubernetesClient client, boolean realServer, boolean autoRun, boolean graceful, int threads) {
    this.client = client;
    this.realServer = realServer;
    this.worker = Executors.newFixedThreadPool(threads);
    this.autoRun = autoRun;
    this.graceful = graceful;
    this.heartbeat = realServer ? Executors.newSingleThreadScheduledExecutor() : null;
    if (realServer) {
      FakeNode.register(client);
      heartbeat.scheduleWithFixedDelay(() -> FakeNode.renew(client), 0, 10, TimeUnit.SECONDS);
    }
  }

  /** Only explicit calls; deletions are immediate (the mock has no kubelet to wait for). */
  public static FakeKubelet manual(KubernetesClient client) {
    return new FakeKubelet(client, false, false, false, 1);
  }

  /** Only explicit calls, on either kind of cluster. */
  public static FakeKubelet manual(TestCluster cluster) {
    return new FakeKubelet(cluster.client(), cluster.real(), false, false, 1);
  }

  /**
   * Watches VM pods: {@code autoRun} runs every new one (Running and Ready); {@code graceful} makes
   * deleted pods end as Succeeded (guest powered off) before they go.
   */
  public static FakeKubelet watching(KubernetesClient client, boolean autoRun, boolean graceful) {
    return watching(client, false, autoRun, graceful, 1);
  }

  /** As {@link #watching(KubernetesClient, boolean, boolean)}, with several node threads. */
  public static FakeKubelet watching(
      KubernetesClient client, boolean autoRun, boolean graceful, int threads) {
    return watching(client, false, autoRun, graceful, threads);
  }

  /** As {@link #watching(KubernetesClient, boolean, boolean)}, on either kind of cluster. */
  public static FakeKubelet watching(TestCluster cluster, boolean autoRun, boolean graceful) {
    return watching(cluster, autoRun, graceful, 1);
  }

  /** As {@link #watching(TestCluster, boolean, boolean)}, with several node threads. */
  public static FakeKubelet watching(
      TestCluster cluster, boolean autoRun, boolean graceful, int threads) {
    return watching(cluster.client(), cluster.real(), autoRun, graceful, threads);
  }

  private static FakeKubelet watching(
      KubernetesClient client, boolean realServer, boolean autoRun, boolean graceful, int threads) {
    FakeKubelet kubelet = new FakeKubelet(client, realServer, autoRun, graceful, threads);
    kubelet.watch =
        client
            .pods()
            .inAnyNamespace()
            .withLabel(VmMetadata.MANAGED_BY, VmMetadata.MANAGED_BY_VALUE)
            // VM pods only: populate Jobs' pods are FakeJobRunner's.
            .withLabel(VmMetadata.COMPONENT_LABEL, "vm")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    kubelet.worker.execute(() -> kubelet.handle(action, pod));
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    return kubelet;
  }

  private void handle(Watcher.Action action, Pod pod) {
    try {
      String ns = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      if (realServer) {
        handleOnRealServer(action, pod);
        return;
      }
      boolean held = pod.getMetadata().getFinalizers().contains(FINALIZER);
      if (action == Watcher.Action.ADDED) {
        if (graceful && !held) {
          client
              .pods()
              .inNamespace(ns)
              .withName(name)
              .patch(
                  PatchContext.of(PatchType.JSON_MERGE),
                  "{\"metadata\":{\"finalizers\":[\"" + FINALIZER + "\"]}}");
        }
        if (autoRun && (pod.getStatus() == null || pod.getStatus().getPhase() == null)) {
          run(ns, name, true);
        }
      } else if (action == Watcher.Action.MODIFIED
          && held
          && pod.getMetadata().getDeletionTimestamp() != null) {
        Instant now = Instant.now();
        setStatus(ns, name, PodStates.exited(0, "guest powered off", now, now));
        client
            .pods()
            .inNamespace(ns)
            .withName(name)
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":[]}}");
      }
    } catch (KubernetesClientException e) {
      // The pod went away meanwhile; nothing left to report.
    }
  }

  /**
   * A real API server keeps a deleted pod that is bound to a node until that node's kubelet
   * confirms with a delete of grace period 0; unbound pods go at once without us.
   */
  private void handleOnRealServer(Watcher.Action action, Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    boolean bound = pod.getSpec().getNodeName() != null;
    if (action == Watcher.Action.ADDED
        && autoRun
        && (pod.getStatus() == null
            || pod.getStatus().getPhase() == null
            || "Pending".equals(pod.getStatus().getPhase()))
        && pod.getMetadata().getDeletionTimestamp() == null) {
      run(ns, name, true);
    } else if (action == Watcher.Action.MODIFIED
        && bound
        && pod.getMetadata().getDeletionTimestamp() != null) {
      if (graceful && !terminal(pod)) {
        Instant now = Instant.now();
        setStatus(ns, name, PodStates.exited(0, "guest powered off", now, now));
      }
      client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
    }
  }

  /** The pod disappears at once, as after a force delete by someone else. */
  public void vanish(String namespace, String pod) {
    if (!realServer) {
      client
          .pods()
          .inNamespace(namespace)
          .withName(pod)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":[]}}");
    }
    client.pods().inNamespace(namespace).withName(pod).withGracePeriod(0).delete();
  }

  private static boolean terminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  public void run(String namespace, String pod, boolean ready) {
    bind(namespace, pod);
    setStatus(namespace, pod, PodStates.running(ready, Instant.now()));
  }

  /** Schedules the pod to {@link PodStates#NODE}, as the scheduler would. */
  private void bind(String namespace, String pod) {
    if (!realServer) {
      client
          .pods()
          .inNamespace(namespace)
          .withName(pod)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"nodeName\":\"" + PodStates.NODE + "\"}}");
      return;
    }
    Pod current = client.pods().inNamespace(namespace).withName(pod).get();
    if (current == null || current.getSpec().getNodeName() != null) {
      return;
    }
    // spec.nodeName is immutable on a real server: the binding subresource sets it.
    client
        .bindings()
        .inNamespace(namespace)
        .resource(
            new BindingBuilder()
                .withNewMetadata()
                .withName(pod)
                .endMetadata()
                .withNewTarget()
                .withKind("Node")
                .withApiVersion("v1")
                .withName(PodStates.NODE)
                .endTarget()
                .build())
        .create();
  }

  public void exit(String namespace, String pod, int exitCode, String message) {
    bind(namespace, pod);
    Instant now = Instant.now();
    setStatus(namespace, pod, PodStates.exited(exitCode, message, now.minusSeconds(5), now));
  }

  public void unknown(String namespace, String pod) {
    bind(namespace, pod);
    setStatus(namespace, pod, PodStates.unknown());
  }

  public void unschedulable(String namespace, String pod, String message) {
    setStatus(namespace, pod, PodStates.unschedulable(message));
  }

  public void setStatus(String namespace, String pod, PodStatus status) {
    String json = client.getKubernetesSerialization().asJson(Map.of("status", status));
    client
        .pods()
        .inNamespace(namespace)
        .withName(pod)
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  @Override
  public void close() throws InterruptedException {
    if (watch != null) {
      watch.close();
    }
    if (heartbeat != null) {
      heartbeat.shutdownNow();
    }
    worker.shutdown();
    worker.awaitTermination(5, TimeUnit.SECONDS);
  }
}
