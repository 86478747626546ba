package io.fastvm.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.operator.cloudinit.CloudInitConfigReconciler;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.metrics.VmMetrics;
import io.fastvm.operator.vm.VirtualMachineReconciler;
import io.fastvm.operator.volume.VolumeReconciler;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The operator started programmatically (Java Operator SDK, no Quarkus) against a client of the
 * mock or a real API server (the VM and CloudInitConfig reconcilers, and the Volume reconciler when
 * asked for), so a test can stop it and start a new one, as an operator restart would. The
 * configuration matches application.properties: merge patches, no server-side apply.
 */
public final class RunningOperator implements AutoCloseable {
  private final Operator operator;
  private final VirtualMachineReconciler reconciler;
  private final SimpleMeterRegistry registry;
  private final KubernetesClient client;

  private final VolumeReconciler volumes;
  private final CloudInitConfigReconciler cloudInits;

  private RunningOperator(
      Operator operator,
      VirtualMachineReconciler reconciler,
      VolumeReconciler volumes,
      CloudInitConfigReconciler cloudInits,
      SimpleMeterRegistry registry,
      KubernetesClient client) {
    this.operator = operator;
    this.reconciler = reconciler;
    this.volumes = volumes;
    this.cloudInits = cloudInits;
    this.registry = registry;
    this.client = client;
  }

  public static RunningOperator start(KubernetesClient client, OperatorSettings settings) {
    return start(client, settings, 10);
  }

  public static RunningOperator start(
      KubernetesClient client, OperatorSettings settings, int threads) {
    return start(client, settings, threads, false);
  }

  /**
   * The VM reconciler and the Volume reconciler, as the operator runs them. Tests of VMs alone
   * leave the Volume reconciler out and set their Volumes' status themselves.
   */
  public static RunningOperator withVolumes(KubernetesClient client, OperatorSettings settings) {
    return start(client, settings, 10, true);
  }

  /** Both reconcilers with {@code threads} reconcile threads, timed by {@code metrics} too. */
  public static RunningOperator withVolumes(
      KubernetesClient client, OperatorSettings settings, int threads, Metrics metrics) {
    return start(client, settings, threads, true, metrics);
  }

  private static RunningOperator start(
      KubernetesClient client, OperatorSettings settings, int threads, boolean volumes) {
    return start(client, settings, threads, volumes, Metrics.NOOP);
  }

  private static RunningOperator start(
      KubernetesClient client,
      OperatorSettings settings,
      int threads,
      boolean volumes,
      Metrics metrics) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    VirtualMachineReconciler reconciler =
        new VirtualMachineReconciler(settings, new VmMetrics(registry));
    VolumeReconciler volumeReconciler = volumes ? new VolumeReconciler(settings) : null;
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withConcurrentReconciliationThreads(threads)
                    .withMetrics(metrics));
    operator.register(reconciler);
    if (volumeReconciler != null) {
      operator.register(volumeReconciler);
    }
    // Always: VMs with cloud-init wait for their config's Secret, which only it writes.
    CloudInitConfigReconciler cloudInits = new CloudInitConfigReconciler();
    operator.register(cloudInits);
    operator.start();
    return new RunningOperator(
        operator, reconciler, volumeReconciler, cloudInits, registry, client);
  }

  public SimpleMeterRegistry registry() {
    return registry;
  }

  public void flushEvents() {
    reconciler.flushEvents();
    cloudInits.flushEvents();
    if (volumes != null) {
      volumes.flushEvents();
    }
  }

  public long reconciles() {
    return (long) registry.get("fastvm.vm.reconcile").timer().count();
  }

  @Override
  public void close() {
    operator.stop();
    reconciler.close();
    cloudInits.close();
    if (volumes != null) {
      volumes.close();
    }
  }
}
