package io.fastvm.operator.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.testing.FakeKubelet;
import io.fastvm.operator.testing.MockCluster;
import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.testcluster.ControlPlane;
import io.fastvm.testcluster.RepoRoot;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Density benchmark (bench/operator/run): N VirtualMachines created at once against an API server —
 * the fabric8 mock, or with BENCH_API=real a real kube-apiserver, etcd and controller-manager from
 * dev/kube — and a fake kubelet marking their pods Running; measures the time until all have pods
 * and until all report Running, reconciles per second, and the operator's heap and RSS — the
 * operator runs in its own JVM so those numbers are its own.
 *
 * <p>Arguments: [vms=1000] [operator reconcile threads=20] [operator -Xmx=512m] [warm-up VMs=0].
 * Warm-up VMs run to Running in another namespace first, so the measured batch meets a JIT-warmed
 * operator, as a long-running one is; 0 measures a cold JVM. BENCH_OPERATOR_JAVA_OPTS adds JVM
 * options to the operator process.
 */
public final class OperatorDensityBenchmark {
  private OperatorDensityBenchmark() {}

  public static void main(String[] args) throws Exception {
    // Request logging of the mock server costs more than the requests themselves.
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
        .setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    int vms = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    String xmx = args.length > 2 ? args[2] : "512m";
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 0;

    boolean real = "real".equals(System.getenv("BENCH_API"));
    ControlPlane plane =
        real
            ? ControlPlane.start(
                RepoRoot.find().orElseThrow(),
                Path.of(System.getProperty("java.io.tmpdir"), "fastvm-kube"),
                List.of("--no-scheduler"))
            : null;
    try (TestCluster cluster = real ? RealCluster.on(plane) : MockCluster.start();
        FakeKubelet kubelet = FakeKubelet.watching(cluster, true, false, 4)) {
      KubernetesClient client = cluster.client();
      cluster.ensureNamespace(TestVms.NS);
      cluster.ensureNamespace("warmup");
      ExecutorService creators = Executors.newFixedThreadPool(8);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < vms; i++) {
        String name = "vm-" + i;
        done.add(
            creators.submit(
                () -> {
                  Volume volume = client.resource(TestVms.volume(name + "-root")).create();
                  volume.setStatus(TestVms.readyStatus(name + "-pvc"));
                  client.resource(volume).updateStatus();
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      done.clear();

      OperatorProcess.Started started =
          OperatorProcess.start(
              real ? null : ((MockCluster) cluster).url(), plane, threads, xmx, false);
      Process operator = started.process();
      BufferedReader out = started.out();
      PrintWriter in = started.in();
      String line;
      if (warmup > 0) {
        runBatch(client, creators, "warmup", warmup);
      }
      in.println("COUNT");
      long reconcilesBefore = 0;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("COUNT ")) {
          reconcilesBefore = Long.parseLong(line.substring(6).trim());
          break;
        }
      }
      long idleRss = rssKiB(operator.pid(), "VmRSS");
      double cpuBefore = cpuSeconds(operator.pid());
      double ownCpuBefore = cpuSeconds(ProcessHandle.current().pid());
      double[] serverCpuBefore =
          real
              ? new double[] {
                plane.cpuSeconds("kube-apiserver"),
                plane.cpuSeconds("etcd"),
                plane.cpuSeconds("kube-controller-manager")
              }
              : new double[3];

      long t0 = System.nanoTime();
      for (int i = 0; i < vms; i++) {
        String name = "vm-" + i;
        done.add(
            creators.submit(
                () ->
                    client
                        .resource(
                            TestVms.newVm(
                                name, TestVms.spec().disk("root", name + "-root").build()))
                        .create()));
      }
      for (Future<?> f : done) {
        f.get();
      }
      long created = System.nanoTime() - t0;
      long allPods = -1;
      long allRunning = -1;
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (System.nanoTime() < deadline) {
        if (allPods < 0 && client.pods().inNamespace(TestVms.NS).list().getItems().size() >= vms) {
          allPods = System.nanoTime() - t0;
        }
        long running =
            client
                .resources(VirtualMachine.class)
                .inNamespace(TestVms.NS)
                .list()
                .getItems()
                .stream()
                .filter(
                    vm ->
                        vm.getStatus() != null
                            && vm.getStatus().printableStatus() == PrintableStatus.RUNNING)
                .count();
        if (running >= vms) {
          allRunning = System.nanoTime() - t0;
          break;
        }
        Thread.sleep(200);
      }
      double operatorCpu = cpuSeconds(operator.pid()) - cpuBefore;
      double mockCpu = cpuSeconds(ProcessHandle.current().pid()) - ownCpuBefore;
      String serverCpu =
          real
              ? String.format(
                  "; kube-apiserver %.2f s, etcd %.2f s, controller-manager %.2f s",
                  plane.cpuSeconds("kube-apiserver") - serverCpuBefore[0],
                  plane.cpuSeconds("etcd") - serverCpuBefore[1],
                  plane.cpuSeconds("kube-controller-manager") - serverCpuBefore[2])
              : "";
      long peakRss = rssKiB(operator.pid(), "VmHWM");
      long rss = rssKiB(operator.pid(), "VmRSS");
      in.println("STATS");
      String stats = "";
      while ((line = out.readLine()) != null) {
        if (line.startsWith("STATS")) {
          stats = line.substring(6);
        }
      }
      operator.waitFor();
      creators.shutdown();

      long reconciles =
          Long.parseLong(stats.replaceAll(".*reconciles=(\\d+).*", "$1")) - reconcilesBefore;
      double runningS = allRunning / 1e9;
      String report =
          String.format(
              "vms=%d reconcileThreads=%d operatorXmx=%s%n"
                  + "created all VMs in %.2f s%n"
                  + "all pods after %.2f s%n"
                  + "all Running after %s%n"
                  + "operator CPU time %.2f s; %s + fake kubelet + driver CPU time %.2f s%s%n"
                  + "reconciles=%d (%.1f per VM), %.0f reconciles/s until all Running%n"
                  + "operator RSS: idle %d MiB, after %d MiB, peak %d MiB%n"
                  + "operator heap: %s%n",
              vms,
              threads,
              xmx,
              created / 1e9,
              allPods / 1e9,
              allRunning < 0 ? "TIMEOUT" : String.format("%.2f s", runningS),
              operatorCpu,
              real ? "client side" : "mock API server",
              mockCpu,
              serverCpu,
              reconciles,
              reconciles / (double) vms,
              allRunning < 0 ? 0 : reconciles / runningS,
              idleRss / 1024,
              rss / 1024,
              peakRss / 1024,
              stats.replaceAll("reconciles=\\d+ ", ""));
      System.out.print(
          (real ? "real API server (dev/kube), " : "mock API server, ")
              + (warmup > 0 ? "after a warm-up of " + warmup + " VMs: " : "cold JVM: ")
              + report);
    } finally {
      if (plane != null) {
        plane.close();
      }
    }
    System.exit(0);
  }

  /** Creates {@code n} VMs (with ready Volumes) in {@code namespace} and waits until all run. */
  private static void runBatch(
      KubernetesClient client, ExecutorService creators, String namespace, int n) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = "vm-" + i;
      done.add(
          creators.submit(
              () -> {
                Volume volume = TestVms.volume(name + "-root");
                volume.getMetadata().setNamespace(namespace);
                volume = client.resource(volume).create();
                volume.setStatus(TestVms.readyStatus(name + "-pvc"));
                client.resource(volume).updateStatus();
                VirtualMachine vm =
                    TestVms.newVm(name, TestVms.spec().disk("root", name + "-root").build());
                vm.getMetadata().setNamespace(namespace);
                client.resource(vm).create();
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    while (client.resources(VirtualMachine.class).inNamespace(namespace).list().getItems().stream()
            .filter(
                vm ->
                    vm.getStatus() != null
                        && vm.getStatus().printableStatus() == PrintableStatus.RUNNING)
            .count()
        < n) {
      Thread.sleep(500);
    }
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
