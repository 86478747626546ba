package io.fastvm.operator.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fastvm.api.v1alpha1.BlankSource;
import io.fastvm.api.v1alpha1.CloneMode;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumeCloneSource;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.api.v1alpha1.VolumePhase;
import io.fastvm.api.v1alpha1.VolumeSource;
import io.fastvm.api.v1alpha1.VolumeSpec;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.operator.testing.FakeJobRunner;
import io.fastvm.operator.testing.MockCluster;
import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.operator.vm.VmMetadata;
import io.fastvm.testcluster.ControlPlane;
import io.fastvm.testcluster.RepoRoot;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Overlay clone benchmark (bench/volume/clones): a template Volume is made Ready (a blank qcow2
 * image, written by the real populator through {@link FakeJobRunner}), then N overlay clones of it
 * are created at once against an API server: the fabric8 mock, or with BENCH_API=real a real
 * kube-apiserver, etcd and controller-manager from dev/kube. An overlay clone is metadata only: the
 * operator creates its PVC and marks it Ready, no Job, no pod (the launcher makes the qcow2 overlay
 * on the VM's first start). Measures the time from the first create until all N are Ready, each
 * clone's latency from its create request to its Ready status seen by a watch (p50, p95, max), the
 * Volume reconciles, and the operator's CPU time and RSS; the operator (VM and Volume reconcilers)
 * runs in its own JVM ({@link OperatorProcess}).
 *
 * <p>What is not included: the PVC's binding. dev/kube has no provisioner (and the mock none), so
 * the clones' PVCs stay Pending; a Volume is Ready once its PVC exists, and binding (the storage
 * provisioner's time) is for a real cluster to measure.
 *
 * <p>Arguments: [clones=100] [operator reconcile threads=20] [operator -Xmx=512m] [warm-up
 * clones=0]. Warm-up clones of their own template in another namespace go first, so the measured
 * batch meets a JIT-warmed operator; 0 measures a cold JVM. BENCH_OPERATOR_JAVA_OPTS adds JVM
 * options to the operator process.
 */
public final class VolumeCloneBenchmark {
  private VolumeCloneBenchmark() {}

  private static final String TEMPLATE = "template";
  private static final String SIZE = "10Gi";
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  public static void main(String[] args) throws Exception {
    // Request logging of the mock server costs more than the requests themselves.
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
        .setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    int clones = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    String xmx = args.length > 2 ? args[2] : "512m";
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    String load =
        String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));

    boolean real = "real".equals(System.getenv("BENCH_API"));
    Path tmp = Files.createTempDirectory("fastvm-bench-clones");
    ControlPlane plane =
        real
            ? ControlPlane.start(
                RepoRoot.find().orElseThrow(),
                Path.of(System.getProperty("java.io.tmpdir"), "fastvm-kube"),
                List.of("--no-scheduler"))
            : null;
    Process operator = null;
    try (TestCluster cluster = real ? RealCluster.on(plane) : MockCluster.start();
        FakeJobRunner jobs =
            FakeJobRunner.start(
                cluster, Files.createDirectories(tmp.resolve("storage")), tmp.resolve("pods"))) {
      KubernetesClient client = cluster.client();
      cluster.ensureNamespace(TestVms.NS);
      cluster.ensureNamespace("warmup");

      OperatorProcess.Started started =
          OperatorProcess.start(
              real ? null : ((MockCluster) cluster).url(), plane, threads, xmx, true);
      operator = started.process();
      BufferedReader out = started.out();
      PrintWriter in = started.in();
      String line;

      ExecutorService creators = Executors.newFixedThreadPool(8);
      long templateStart = System.nanoTime();
      template(client, TestVms.NS);
      long templateReady = System.nanoTime() - templateStart;
      if (warmup > 0) {
        template(client, "warmup");
        Batch batch = new Batch(client, "warmup", warmup);
        batch.run(creators);
        batch.close();
      }

      in.println("COUNT");
      long volumeReconcilesBefore = 0;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("COUNT ")) {
          volumeReconcilesBefore = number(line, "volumeReconciles");
          break;
        }
      }
      long idleRss = rssKiB(operator.pid(), "VmRSS");
      double cpuBefore = cpuSeconds(operator.pid());
      double ownCpuBefore = cpuSeconds(ProcessHandle.current().pid());
      double[] serverCpuBefore = serverCpu(plane);

      Batch batch = new Batch(client, TestVms.NS, clones);
      batch.run(creators);
      double operatorCpu = cpuSeconds(operator.pid()) - cpuBefore;
      double ownCpu = cpuSeconds(ProcessHandle.current().pid()) - ownCpuBefore;
      double[] serverCpu = serverCpu(plane);
      in.println("COUNT");
      long volumeReconcilesAtReady = 0;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("COUNT ")) {
          volumeReconcilesAtReady = number(line, "volumeReconciles") - volumeReconcilesBefore;
          break;
        }
      }
      // The template's status (which names its clones) and the clones' echoes of it settle after
      // the last clone is Ready: wait until the reconciles stop, to count them too.
      long settleStart = System.nanoTime();
      long volumeReconcilesSettled = volumeReconcilesAtReady;
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()
          && System.nanoTime() - settleStart < TIMEOUT.toNanos()) {
        Thread.sleep(250);
        in.println("COUNT");
        while ((line = out.readLine()) != null) {
          if (line.startsWith("COUNT ")) {
            long now = number(line, "volumeReconciles") - volumeReconcilesBefore;
            if (now != volumeReconcilesSettled) {
              volumeReconcilesSettled = now;
              quietSince = System.nanoTime();
            }
            break;
          }
        }
      }
      double operatorCpuSettled = cpuSeconds(operator.pid()) - cpuBefore;
      double quietAfter = (quietSince - settleStart) / 1e9;
      batch.close();

      long claims =
          client
              .persistentVolumeClaims()
              .inNamespace(TestVms.NS)
              .withLabel(VmMetadata.COMPONENT_LABEL, "disk")
              .list()
              .getItems()
              .size();
      long cloneJobs =
          client.batch().v1().jobs().inNamespace(TestVms.NS).list().getItems().stream()
              .filter(j -> j.getMetadata().getName().startsWith("clone-"))
              .count();
      long peakRss = rssKiB(operator.pid(), "VmHWM");
      long rss = rssKiB(operator.pid(), "VmRSS");
      in.println("STATS");
      String stats = "";
      while ((line = out.readLine()) != null) {
        if (line.startsWith("STATS")) {
          stats = line.substring(6);
          break;
        }
      }
      operator.waitFor(1, TimeUnit.MINUTES);
      creators.shutdown();

      long[] latencies = batch.latenciesNanos();
      String serverCpuText =
          real
              ? String.format(
                  "; kube-apiserver %.2f s, etcd %.2f s, controller-manager %.2f s",
                  serverCpu[0] - serverCpuBefore[0],
                  serverCpu[1] - serverCpuBefore[1],
                  serverCpu[2] - serverCpuBefore[2])
              : "";
      String report =
          String.format(
              "clones=%d reconcileThreads=%d operatorXmx=%s, load average before: %s%n"
                  + "template Volume (blank qcow2 %s, populate Job) Ready after %.2f s%n"
                  + "created all clones in %.2f s (8 client threads)%n"
                  + "all %d clones Ready after %s (from the first create)%n"
                  + "per clone, create -> Ready seen by a watch: p50 %.0f ms, p95 %.0f ms,"
                  + " max %.0f ms (%d seen)%n"
                  + "PVCs of Volumes: %d (the template's and the clones'), Jobs of clones: %d;"
                  + " Volume watch events: %d%n"
                  + "Volume reconciles until all Ready: %d (%.1f per clone); until quiet"
                  + " (%.1f s later): %d (%.1f per clone)%n"
                  + "mean / max Volume reconcile (whole run): %s / %s ms%n"
                  + "operator CPU time until all Ready %.2f s, until quiet %.2f s;"
                  + " %s + job runner + driver CPU time %.2f s%s%n"
                  + "operator RSS: idle %d MiB, after %d MiB, peak %d MiB%n"
                  + "operator heap: %s%n",
              clones,
              threads,
              xmx,
              load,
              SIZE,
              templateReady / 1e9,
              batch.created / 1e9,
              clones,
              batch.allReady < 0 ? "TIMEOUT" : String.format("%.2f s", batch.allReady / 1e9),
              percentile(latencies, 50) / 1e6,
              percentile(latencies, 95) / 1e6,
              percentile(latencies, 100) / 1e6,
              latencies.length,
              claims,
              cloneJobs,
              batch.events.get(),
              volumeReconcilesAtReady,
              volumeReconcilesAtReady / (double) clones,
              quietAfter,
              volumeReconcilesSettled,
              volumeReconcilesSettled / (double) clones,
              text(stats, "meanVolumeReconcileMs"),
              text(stats, "maxVolumeReconcileMs"),
              operatorCpu,
              operatorCpuSettled,
              real ? "client side" : "mock API server",
              ownCpu,
              serverCpuText,
              idleRss / 1024,
              rss / 1024,
              peakRss / 1024,
              stats.replaceAll("\\s*\\w*[rR]econcile\\w*=[0-9.]+", "").strip());
      System.out.print(
          (real ? "real API server (dev/kube), " : "mock API server, ")
              + (warmup > 0 ? "after a warm-up of " + warmup + " clones: " : "cold JVM: ")
              + report);
    } finally {
      if (operator != null && operator.isAlive()) {
        operator.destroy();
        operator.waitFor(10, TimeUnit.SECONDS);
      }
      if (plane != null) {
        plane.close();
      }
      TestGuests.deleteTree(tmp);
    }
    System.exit(0);
  }

  /** Creates a blank qcow2 template Volume in {@code namespace} and waits until it is Ready. */
  private static void template(KubernetesClient client, String namespace) throws Exception {
    client
        .resource(
            new Volume(
                namespace,
                TEMPLATE,
                new VolumeSpec(
                    SIZE,
                    VolumeFormat.QCOW2,
                    null,
                    null,
                    new VolumeSource(new BlankSource(), null, null, null))))
        .create();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Volume volume =
          client.resources(Volume.class).inNamespace(namespace).withName(TEMPLATE).get();
      if (ready(volume)) {
        return;
      }
      if (volume != null
          && volume.getStatus() != null
          && volume.getStatus().phase() == VolumePhase.FAILED) {
        throw new IllegalStateException("the template Volume failed: " + volume.getStatus());
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the template Volume was not Ready within " + TIMEOUT);
  }

  private static boolean ready(Volume volume) {
    return volume != null
        && volume.getStatus() != null
        && volume.getStatus().phase() == VolumePhase.READY;
  }

  /**
   * {@code n} overlay clones of the template, created at once; a watch notes when each is first
   * seen Ready.
   */
  private static final class Batch implements Watcher<Volume>, AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final int n;
    private final long[] sent;
    private final Map<String, Long> readyAt = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicLong events =
        new java.util.concurrent.atomic.AtomicLong();
    private final CountDownLatch allSeen;
    private final Watch watch;
    long created = -1;
    long allReady = -1;

    Batch(KubernetesClient client, String namespace, int n) {
      this.client = client;
      this.namespace = namespace;
      this.n = n;
      this.sent = new long[n];
      this.allSeen = new CountDownLatch(n);
      this.watch = client.resources(Volume.class).inNamespace(namespace).watch(this);
    }

    void run(ExecutorService creators) throws Exception {
      List<Future<?>> done = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int index = i;
        done.add(
            creators.submit(
                () -> {
                  Volume clone =
                      new Volume(
                          namespace,
                          name(index),
                          new VolumeSpec(
                              SIZE,
                              VolumeFormat.QCOW2,
                              null,
                              null,
                              new VolumeSource(
                                  null,
                                  null,
                                  new VolumeCloneSource(TEMPLATE, CloneMode.OVERLAY),
                                  null)));
                  sent[index] = System.nanoTime();
                  client.resource(clone).create();
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      created = System.nanoTime() - t0;
      if (allSeen.await(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
        allReady = readyAt.values().stream().mapToLong(Long::longValue).max().orElse(t0) - t0;
      }
    }

    static String name(int index) {
      return "clone-" + index;
    }

    @Override
    public void eventReceived(Action action, Volume volume) {
      events.incrementAndGet();
      String name = volume.getMetadata().getName();
      if (name.startsWith("clone-") && ready(volume)) {
        long now = System.nanoTime();
        if (readyAt.putIfAbsent(name, now) == null) {
          allSeen.countDown();
        }
      }
    }

    @Override
    public void onClose(WatcherException cause) {}

    /** Create request sent → Ready seen, of every clone seen Ready. */
    long[] latenciesNanos() {
      List<Long> latencies = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Long ready = readyAt.get(name(i));
        if (ready != null) {
          latencies.add(ready - sent[i]);
        }
      }
      return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    @Override
    public void close() {
      watch.close();
    }
  }

  /** Nearest-rank percentile of sorted values; 0 when there are none. */
  private static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  private static long number(String line, String key) {
    return Long.parseLong(text(line, key));
  }

  private static String text(String line, String key) {
    return Arrays.stream(line.split("\\s+"))
        .filter(f -> f.startsWith(key + "="))
        .map(f -> f.substring(key.length() + 1))
        .findFirst()
        .orElse("?");
  }

  private static double[] serverCpu(ControlPlane plane) throws Exception {
    return plane == null
        ? new double[3]
        : new double[] {
          plane.cpuSeconds("kube-apiserver"),
          plane.cpuSeconds("etcd"),
          plane.cpuSeconds("kube-controller-manager")
        };
  }

  /** User + system CPU time of a process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
  private static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
  }

  private static long rssKiB(long pid, String field) throws Exception {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith(field + ":")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
