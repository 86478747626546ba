package io.fastvm.operator.bench;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.RunningOperator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * The operator alone in its own JVM, so its heap and RSS are measured without the API server and
 * the fake kubelet: {@code OperatorProcess <api server url> <reconcile threads> [<token> <ca
 * file>]} (the token and CA of a real API server; the mock needs neither). Prints READY once
 * started; on "STATS" from stdin prints reconciles and heap, then stops.
 */
public final class OperatorProcess {
  private OperatorProcess() {}

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
    RunningOperator operator = RunningOperator.start(client, OperatorSettings.defaults(), threads);
    System.out.println("READY");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("COUNT")) {
        System.out.println("COUNT " + operator.reconciles());
        System.out.flush();
      }
      if (line.equals("STATS")) {
        MemoryUsage peak = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.gc();
        MemoryUsage after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.printf(
            "STATS reconciles=%d meanReconcileMs=%.1f maxReconcileMs=%.1f heapUsedBeforeGcMiB=%d"
                + " heapUsedAfterGcMiB=%d heapCommittedMiB=%d%n",
            operator.reconciles(),
            operator
                .registry()
                .get("fastvm.vm.reconcile")
                .timer()
                .mean(java.util.concurrent.TimeUnit.MILLISECONDS),
            operator
                .registry()
                .get("fastvm.vm.reconcile")
                .timer()
                .max(java.util.concurrent.TimeUnit.MILLISECONDS),
            peak.getUsed() >> 20,
            after.getUsed() >> 20,
            after.getCommitted() >> 20);
        System.out.flush();
        break;
      }
    }
    operator.close();
    client.close();
    System.exit(0);
  }
}
