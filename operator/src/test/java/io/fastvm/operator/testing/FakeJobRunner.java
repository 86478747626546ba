package io.fastvm.operator.testing;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.node.volume.populate.PopulateMain;
import io.fastvm.operator.vm.VmMetadata;
import io.fastvm.operator.volume.PopulateJob;
import io.fastvm.operator.volume.VolumeEventSources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs populate Jobs for a cluster without a kubelet. Each Job's pod runs its real command (the
 * populator, {@code fastvm-populate} with its arguments and mounts mapped by {@link PodExecution})
 * on this machine, every PVC being a folder of {@code storage} that outlives the pod; a test may
 * give a Volume's pod a fixed outcome instead. The pod's end is reported as a kubelet would (phase,
 * exit code, termination message).
 *
 * <p>On a real API server the controller-manager's Job controller makes the pods and finishes the
 * Jobs; on the mock this class plays it too (pods from the template, the Job's Complete or Failed
 * condition).
 */
public final class FakeJobRunner implements AutoCloseable {

  /** How a pod ends. */
  public record Outcome(int exitCode, String message) {}

  private final TestCluster cluster;
  private final KubernetesClient client;
  private final Path storage;
  private final Path work;
  private final Map<String, Outcome> fixed = new ConcurrentHashMap<>();
  private final ExecutorService runner = Executors.newFixedThreadPool(2);
  private final List<Watch> watches = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile java.util.function.UnaryOperator<String> route =
      java.util.function.UnaryOperator.identity();

  private FakeJobRunner(TestCluster cluster, Path storage, Path work) {
    this.cluster = cluster;
    this.client = cluster.client();
    this.storage = storage;
    this.work = work;
  }

  public static FakeJobRunner start(TestCluster cluster, Path storage, Path work) {
    FakeJobRunner jobs = new FakeJobRunner(cluster, storage, work);
    if (cluster.real()) {
      FakeNode.register(jobs.client);
    } else {
      jobs.watches.add(
          jobs.client
              .batch()
              .v1()
              .jobs()
              .inAnyNamespace()
              .withLabel(VmMetadata.COMPONENT_LABEL, "populate")
              .watch(jobs.watcher((action, job) -> jobs.onJob(action, job))));
    }
    jobs.watches.add(
        jobs.client
            .pods()
            .inAnyNamespace()
            .withLabel(VmMetadata.COMPONENT_LABEL, "populate")
            .watch(jobs.watcher((action, pod) -> jobs.onPod(action, pod))));
    return jobs;
  }

  /** The pods of this Volume's Jobs end as {@code outcome}, without running anything. */
  public void fix(String volume, Outcome outcome) {
    fixed.put(volume, outcome);
  }

  /**
   * The node's network: each {@code --url=} a populate pod is given is fetched from {@code
   * route(url)} instead (this machine reaches no outside host).
   */
  public void routeUrls(java.util.function.UnaryOperator<String> route) {
    this.route = route;
  }

  /** The node's folder for a PVC. */
  public Path claimDir(String claim) {
    return storage.resolve(claim);
  }

  private <T> Watcher<T> watcher(java.util.function.BiConsumer<Watcher.Action, T> handler) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T object) {
        runner.execute(
            () -> {
              try {
                handler.accept(action, object);
              } catch (KubernetesClientException e) {
                // gone meanwhile
              }
            });
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  /** The mock has no Job controller: one pod per new Job, from its template. */
  private void onJob(Watcher.Action action, Job job) {
    if (action != Watcher.Action.ADDED) {
      return;
    }
    Pod pod =
        new PodBuilder()
            .withNewMetadataLike(job.getSpec().getTemplate().getMetadata())
            .withName(
                job.getMetadata().getName() + "-" + Long.toHexString(System.nanoTime() & 0xfffff))
            .withNamespace(job.getMetadata().getNamespace())
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("batch/v1")
                    .withKind("Job")
                    .withName(job.getMetadata().getName())
                    .withUid(job.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            .withSpec(job.getSpec().getTemplate().getSpec())
            .build();
    client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
  }

  private void onPod(Watcher.Action action, Pod pod) {
    if (action != Watcher.Action.ADDED
        || pod.getMetadata().getDeletionTimestamp() != null
        || (pod.getStatus() != null
            && pod.getStatus().getPhase() != null
            && !"Pending".equals(pod.getStatus().getPhase()))) {
      return;
    }
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    if (cluster.real() && pod.getSpec().getNodeName() == null) {
      client
          .bindings()
          .inNamespace(ns)
          .resource(
              new BindingBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .endMetadata()
                  .withNewTarget()
                  .withKind("Node")
                  .withApiVersion("v1")
                  .withName(PodStates.NODE)
                  .endTarget()
                  .build())
          .create();
    }
    Instant started = Instant.now();
    Outcome outcome = run(pod);
    setStatus(ns, name, ended(outcome, started, Instant.now()));
    if (!cluster.real()) {
      finishJob(pod, outcome);
    }
  }

  private Outcome run(Pod pod) {
    String volume =
        pod.getMetadata().getAnnotations().get(VolumeEventSources.VOLUME_NAME_ANNOTATION);
    Outcome outcome = volume == null ? null : fixed.get(volume);
    if (outcome != null) {
      return outcome;
    }
    try {
      Path dir = Files.createDirectories(work.resolve(pod.getMetadata().getName()));
      PodExecution execution = PodExecution.onStorage(routed(pod), dir, storage, client);
      Process process =
          execution
              .command(PopulateMain.class.getName())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("log").toFile())
              .start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return new Outcome(137, "the populator ran longer than 5 minutes");
      }
      String message = Files.readString(execution.terminationLog(), StandardCharsets.UTF_8).strip();
      return new Outcome(process.exitValue(), message);
    } catch (Exception e) {
      return new Outcome(1, "could not run the pod: " + e);
    }
  }

  private Pod routed(Pod pod) {
    Pod copy = new PodBuilder(pod).build();
    for (var container : copy.getSpec().getContainers()) {
      container.setArgs(
          container.getArgs().stream()
              .map(a -> a.startsWith("--url=") ? "--url=" + route.apply(a.substring(6)) : a)
              .toList());
    }
    return copy;
  }

  private static PodStatus ended(Outcome outcome, Instant started, Instant finished) {
    String start = started.truncatedTo(ChronoUnit.SECONDS).toString();
    String end = finished.truncatedTo(ChronoUnit.SECONDS).toString();
    return new PodStatusBuilder()
        .withPhase(outcome.exitCode() == 0 ? "Succeeded" : "Failed")
        .withStartTime(start)
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName(PopulateJob.CONTAINER)
                .withReady(false)
                .withRestartCount(0)
                .withImage("fastvm/node-agent")
                .withImageID("")
                .withNewState()
                .withNewTerminated()
                .withExitCode(outcome.exitCode())
                .withReason(outcome.exitCode() == 0 ? "Completed" : "Error")
                .withMessage(outcome.message().isEmpty() ? null : outcome.message())
                .withStartedAt(start)
                .withFinishedAt(end)
                .endTerminated()
                .endState()
                .build())
        .build();
  }

  private void setStatus(String ns, String name, PodStatus status) {
    client
        .pods()
        .inNamespace(ns)
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            client.getKubernetesSerialization().asJson(Map.of("status", status)));
  }

  /** What the Job controller does on a real server: the Job's end, from its pod's. */
  private void finishJob(Pod pod, Outcome outcome) {
    Optional<String> job =
        pod.getMetadata().getOwnerReferences().stream()
            .filter(r -> "Job".equals(r.getKind()))
            .map(r -> r.getName())
            .findFirst();
    if (job.isEmpty()) {
      return;
    }
    String type = outcome.exitCode() == 0 ? "Complete" : "Failed";
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(job.get())
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\""
                + (outcome.exitCode() == 0 ? "succeeded" : "failed")
                + "\":1,\"conditions\":[{\"type\":\""
                + type
                + "\",\"status\":\"True\",\"lastTransitionTime\":\""
                + now
                + "\"}]}}");
  }

  @Override
  public void close() throws InterruptedException {
    watches.forEach(Watch::close);
    runner.shutdownNow();
    runner.awaitTermination(10, TimeUnit.SECONDS);
  }
}
