package io.fastvm.operator.testing;

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
import java.util.concurrent.TimeUnit;

/**
 * Plays the kubelet (and scheduler) against the mock API server, which has neither. Tests drive
 * pods explicitly ({@link #run}, {@link #exit}, ...); in auto mode it also runs every new VM pod
 * and, with graceful termination on, holds deleted pods with a finalizer until it has reported the
 * guest powered off — as a real kubelet does while the launcher shuts the guest down.
 */
public final class FakeKubelet implements AutoCloseable {
  static final String FINALIZER = "test.fastvm.io/kubelet";

  private final KubernetesClient client;
  private final ExecutorService worker;
  private final boolean autoRun;
  private final boolean graceful;
  private Watch watch;

  private FakeKubelet(KubernetesClient client, boolean autoRun, boolean graceful, int threads) {
    this.client = client;
    this.worker = Executors.newFixedThreadPool(threads);
    this.autoRun = autoRun;
    this.graceful = graceful;
  }

  /** Only explicit calls; deletions are immediate (the mock has no kubelet to wait for). */
  public static FakeKubelet manual(KubernetesClient client) {
    return new FakeKubelet(client, false, false, 1);
  }

  /**
   * Watches VM pods: {@code autoRun} runs every new one (Running and Ready); {@code graceful} makes
   * deleted pods end as Succeeded (guest powered off) before they go.
   */
  public static FakeKubelet watching(KubernetesClient client, boolean autoRun, boolean graceful) {
    return watching(client, autoRun, graceful, 1);
  }

  /** As {@link #watching(KubernetesClient, boolean, boolean)}, with several node threads. */
  public static FakeKubelet watching(
      KubernetesClient client, boolean autoRun, boolean graceful, int threads) {
    FakeKubelet kubelet = new FakeKubelet(client, autoRun, graceful, threads);
    kubelet.watch =
        client
            .pods()
            .inAnyNamespace()
            .withLabel(VmMetadata.MANAGED_BY, VmMetadata.MANAGED_BY_VALUE)
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

  /** The pod disappears at once, as after a force delete by someone else. */
  public void vanish(String namespace, String pod) {
    client
        .pods()
        .inNamespace(namespace)
        .withName(pod)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":[]}}");
    client.pods().inNamespace(namespace).withName(pod).withGracePeriod(0).delete();
  }

  public void run(String namespace, String pod, boolean ready) {
    client
        .pods()
        .inNamespace(namespace)
        .withName(pod)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"nodeName\":\"" + PodStates.NODE + "\"}}");
    setStatus(namespace, pod, PodStates.running(ready, Instant.now()));
  }

  public void exit(String namespace, String pod, int exitCode, String message) {
    Instant now = Instant.now();
    setStatus(namespace, pod, PodStates.exited(exitCode, message, now.minusSeconds(5), now));
  }

  public void unknown(String namespace, String pod) {
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
    worker.shutdown();
    worker.awaitTermination(5, TimeUnit.SECONDS);
  }
}
