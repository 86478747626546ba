package io.fastvm.operator.bench;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.volume.VolumeReconciler;
import io.fastvm.testcluster.ControlPlane;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator alone in its own JVM, so its heap and RSS are measured without the API server and
 * the fake kubelet: {@code OperatorProcess <api server url> <reconcile threads> [<token> <ca
 * file>]} (the token and CA of a real API server; the mock needs neither). Prints READY once
 * started; on "STATS" from stdin prints reconciles and heap, then stops.
 *
 * <p>With {@code -Dfastvm.bench.volumes=true} it runs the Volume reconciler beside the VM
 * reconciler, in one operator with one pool of reconcile threads, as the packaged operator (Quarkus
 * registers every reconciler) does; COUNT and STATS then also give the Volume reconciles ({@code
 * volumeReconciles=}, timed by the Java Operator SDK's metrics hook, since the Volume reconciler
 * has no timer of its own).
 */
public final class OperatorProcess {
  private OperatorProcess() {}

  /** A started operator process, once it said READY: its stdin and stdout. */
  record Started(Process process, BufferedReader out, PrintWriter in) {}

  /**
   * Starts {@link #main} in a new JVM ({@code -Xmx}{@code xmx}, plus {@code
   * BENCH_OPERATOR_JAVA_OPTS}) against the mock at {@code url}, or against {@code plane} as its
   * admin when there is one, and waits for READY.
   */
  static Started start(String url, ControlPlane plane, int threads, String xmx, boolean withVolumes)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + xmx);
    if (withVolumes) {
      command.add("-Dfastvm.bench.volumes=true");
    }
    String extra = System.getenv().getOrDefault("BENCH_OPERATOR_JAVA_OPTS", "");
    if (!extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            OperatorProcess.class.getName(),
            plane != null ? plane.server() : url,
            String.valueOf(threads)));
    if (plane != null) {
      command.addAll(List.of(plane.token("admin"), plane.caFile().toString()));
    }
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
    PrintWriter in = new PrintWriter(process.getOutputStream(), true);
    String line;
    while ((line = out.readLine()) != null && !line.equals("READY")) {}
    if (line == null) {
      throw new IOException("the operator process exited before READY");
    }
    return new Started(process, out, in);
  }

  public static void main(String[] args) throws Exception {
    // Request logging of the mock server costs more than the requests themselves.
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
        .setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    String url = args[0];
    int threads = Integer.parseInt(args[1]);
    ConfigBuilder config = new ConfigBuilder().withMasterUrl(url);
    if (args.length > 3) {
      config.withOauthToken(args[2]).withCaCertFile(args[3]);
    } else {
      config.withTrustCerts(true);
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config.build()).build();
    boolean volumes = Boolean.getBoolean("fastvm.bench.volumes");
    VolumeTimer volumeTimer = new VolumeTimer();
    RunningOperator operator =
        volumes
            ? RunningOperator.withVolumes(client, OperatorSettings.defaults(), threads, volumeTimer)
            : RunningOperator.start(client, OperatorSettings.defaults(), threads);
    Timer vmTimer = operator.registry().get("fastvm.vm.reconcile").timer();
    System.out.println("READY");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("COUNT")) {
        System.out.println(
            "COUNT "
                + vmTimer.count()
                + (volumes ? " volumeReconciles=" + volumeTimer.timer.count() : ""));
        System.out.flush();
      }
      if (line.equals("STATS")) {
        MemoryUsage peak = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.gc();
        MemoryUsage after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.printf(
            "STATS reconciles=%d meanReconcileMs=%.1f maxReconcileMs=%.1f heapUsedBeforeGcMiB=%d"
                + " heapUsedAfterGcMiB=%d heapCommittedMiB=%d%s%n",
            vmTimer.count(),
            vmTimer.mean(TimeUnit.MILLISECONDS),
            vmTimer.max(TimeUnit.MILLISECONDS),
            peak.getUsed() >> 20,
            after.getUsed() >> 20,
            after.getCommitted() >> 20,
            volumes
                ? String.format(
                    " volumeReconciles=%d meanVolumeReconcileMs=%.1f maxVolumeReconcileMs=%.1f",
                    volumeTimer.timer.count(),
                    volumeTimer.timer.mean(TimeUnit.MILLISECONDS),
                    volumeTimer.timer.max(TimeUnit.MILLISECONDS))
                : "");
        System.out.flush();
        break;
      }
    }
    operator.close();
    client.close();
    System.exit(0);
  }

  /** Times the Volume controller's reconciles (the Java Operator SDK's hook around each one). */
  private static final class VolumeTimer implements Metrics {
    final Timer timer =
        Timer.builder("fastvm.bench.volume.reconcile").register(new SimpleMeterRegistry());

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
      if (!"reconcile".equals(execution.name())
          || !VolumeReconciler.NAME.equals(execution.controllerName())) {
        return execution.execute();
      }
      long start = System.nanoTime();
      try {
        return execution.execute();
      } finally {
        timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }
  }
}
