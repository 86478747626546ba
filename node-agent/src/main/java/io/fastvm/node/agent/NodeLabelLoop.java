package io.fastvm.node.agent;

import io.fastvm.node.device.DeviceHealth;
import io.fastvm.node.labels.CpuModels;
import io.fastvm.node.labels.NodeFeatures;
import io.fastvm.node.labels.NodeLabeller;
import io.fastvm.node.qemu.AcceleratorKind;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the node's labels saying what it offers ({@link NodeFeatures}): checked at start and every
 * {@code interval}, so a KVM that starts or stops working, or a label someone removed, is put right
 * within one interval. QEMU is asked for its CPU models only when the accelerator changes.
 */
public final class NodeLabelLoop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NodeLabelLoop.class.getName());

  private final NodeLabeller labeller;
  private final DeviceHealth kvm;
  private final CpuModels models;
  private final AtomicLong rounds = new AtomicLong();
  private NodeFeatures features;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("fastvm-node-labels").daemon().factory());

  private NodeLabelLoop(NodeLabeller labeller, DeviceHealth kvm, CpuModels models) {
    this.labeller = labeller;
    this.kvm = kvm;
    this.models = models;
  }

  /**
   * Labels the node now and then every {@code interval}.
   *
   * @param kvm the KVM verdict the device plugin gives too
   */
  public static NodeLabelLoop start(
      NodeLabeller labeller, DeviceHealth kvm, CpuModels models, Duration interval) {
    NodeLabelLoop loop = new NodeLabelLoop(labeller, kvm, models);
    loop.timer.scheduleWithFixedDelay(loop::label, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return loop;
  }

  private void label() {
    try {
      boolean kvmWorks = kvm.check().healthy();
      if (features == null || features.kvm() != kvmWorks) {
        features =
            new NodeFeatures(
                kvmWorks, models.query(kvmWorks ? AcceleratorKind.KVM : AcceleratorKind.TCG));
      }
      labeller.apply(features);
      rounds.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // The next round tries again; labels are advice to the scheduler, never a reason to stop.
      LOG.log(System.Logger.Level.WARNING, "cannot label the node: " + e.getMessage());
    }
  }

  /** Rounds that labelled the node so far (for tests). */
  public long rounds() {
    return rounds.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
