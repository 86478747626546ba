package io.fastvm.operator.metrics;

import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VmPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's own metrics (Prometheus names in docs/operator.md): reconciles, errors and their
 * duration, pods created and deleted, and VMs by phase, counted from the informer cache at scrape
 * time so the numbers never drift from what the operator sees.
 */
public final class VmMetrics {
  private final MeterRegistry registry;
  private final Timer reconcileTimer;
  private final Counter errors;
  private final Counter podsCreated;
  private final Counter statusConflicts;
  private final AtomicReference<Supplier<Stream<VirtualMachine>>> vms =
      new AtomicReference<>(Stream::empty);

  public VmMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.reconcileTimer =
        Timer.builder("fastvm.vm.reconcile")
            .description("VirtualMachine reconciles and how long they took")
            .register(registry);
    this.errors =
        Counter.builder("fastvm.vm.reconcile.errors")
            .description("VirtualMachine reconciles that failed (and are retried)")
            .register(registry);
    this.podsCreated =
        Counter.builder("fastvm.vm.pods.created")
            .description("VM pods created (starts and restarts)")
            .register(registry);
    this.statusConflicts =
        Counter.builder("fastvm.vm.status.conflicts")
            .description("Status writes dropped because the VM changed since it was observed (409)")
            .register(registry);
    for (VmPhase phase : VmPhase.values()) {
      Gauge.builder("fastvm.vms", () -> count(phase))
          .description("VirtualMachines by status.phase")
          .tag("phase", phaseName(phase))
          .register(registry);
    }
    Gauge.builder("fastvm.vms", () -> count(null))
        .description("VirtualMachines by status.phase")
        .tag("phase", "None")
        .register(registry);
  }

  /** Where the VMs are counted from: the reconciler's primary cache. */
  public void countVmsFrom(Supplier<Stream<VirtualMachine>> source) {
    vms.set(source);
  }

  public void reconciled(Duration duration) {
    reconcileTimer.record(duration);
  }

  public void reconcileFailed() {
    errors.increment();
  }

  public void podCreated() {
    podsCreated.increment();
  }

  public void statusConflict() {
    statusConflicts.increment();
  }

  public void podDeleted(String why) {
    registry.counter("fastvm.vm.pods.deleted", "reason", why).increment();
  }

  private double count(VmPhase phase) {
    return vms.get()
        .get()
        .filter(vm -> phase == (vm.getStatus() == null ? null : vm.getStatus().phase()))
        .count();
  }

  private static String phaseName(VmPhase phase) {
    String name = phase.name();
    return name.charAt(0) + name.substring(1).toLowerCase();
  }
}
