package io.fastvm.console;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fastvm.console.audit.AuditLog;
import java.lang.System.Logger.Level;
import java.time.Clock;

/**
 * Runs the console-proxy with settings from the environment ({@link ProxyConfig.Setting}) and the
 * in-cluster (or kubeconfig) credentials of its service account, which needs: create tokenreviews
 * and subjectaccessreviews; get virtualmachines and pods in the VMs' namespaces; get and create its
 * signing-key Secret.
 */
public final class ConsoleProxyMain {
  private ConsoleProxyMain() {}

  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    }
    System.Logger log = System.getLogger(ConsoleProxyMain.class.getName());
    if (args.length > 0 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
      System.out.println(
          "fastvm console-proxy; settings (system property / environment, default):");
      for (ProxyConfig.Setting setting : ProxyConfig.Setting.values()) {
        System.out.printf(
            "  %-48s %s [%s]%n",
            setting.environmentName(), setting.description(), setting.defaultValue());
      }
      return;
    }
    ProxyConfig config = ProxyConfig.fromSystem();
    KubernetesClient client = new KubernetesClientBuilder().build();
    ConsoleProxy proxy =
        ConsoleProxy.start(config, client, AuditLog.stdout(Clock.systemUTC()), Clock.systemUTC())
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  proxy.close();
                  client.close();
                }));
    log.log(
        Level.INFO,
        "console-proxy listening on "
            + (config.httpTls() ? "https" : "http")
            + "://"
            + config.listenHost()
            + ":"
            + proxy.port()
            + (config.publicUrl() != null ? " as " + config.publicUrl() : ""));
  }
}
