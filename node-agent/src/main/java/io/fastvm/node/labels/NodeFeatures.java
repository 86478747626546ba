package io.fastvm.node.labels;

import io.fastvm.node.device.DeviceHealth;
import io.fastvm.node.qemu.AcceleratorKind;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the node offers VMs: whether KVM works, and the CPU models its QEMU can run with the
 * accelerator VMs will get there.
 */
public record NodeFeatures(boolean kvm, SortedSet<String> cpuModels) {

  public NodeFeatures {
    cpuModels = Collections.unmodifiableSortedSet(new TreeSet<>(cpuModels));
  }

  /**
   * Asks {@code kvmHealth} (e.g. {@link io.fastvm.node.device.KvmHealth}) and then QEMU with the
   * accelerator that verdict gives: a {@code /dev/kvm} that hangs makes VMs run under TCG, so the
   * models TCG can emulate are the ones on offer, not those KVM would list.
   */
  public static NodeFeatures detect(DeviceHealth kvmHealth, CpuModels cpuModels)
      throws CpuModels.CpuModelsException, InterruptedException {
    boolean kvm = kvmHealth.check().healthy();
    return new NodeFeatures(kvm, cpuModels.query(kvm ? AcceleratorKind.KVM : AcceleratorKind.TCG));
  }
}
