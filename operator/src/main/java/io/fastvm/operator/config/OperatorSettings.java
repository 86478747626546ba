package io.fastvm.operator.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the VirtualMachine reconciler needs to know about its installation, as one value so
 * that the pure functions stay testable without Quarkus. Quarkus fills it from {@code
 * application.properties} ({@link FastvmConfig}); tests build it with {@link #defaults()}.
 *
 * @param image the node-agent image whose launcher runs each VM
 * @param imagePullPolicy pull policy of VM pods
 * @param requestKvmForAuto request the kvm device for accelerator {@code auto}; turn off on
 *     clusters whose nodes have no KVM (those VMs then run under TCG)
 * @param cpuMillisPerVcpu CPU request per vCPU in millicores
 * @param cpuLimits also set a CPU limit: one core per vCPU, never below the request
 * @param memoryLimits set the memory limit equal to the request (Guaranteed memory)
 * @param overhead the memory overhead formula's constants
 * @param stateStorageClass storage class of state PVCs; null for the cluster default
 * @param stateStorageSize size of state PVCs (UEFI variables, TPM state)
 * @param backoffInitial first wait before restarting a failed VM
 * @param backoffMax longest wait between restarts
 * @param backoffResetAfter a run at least this long resets the failure count
 * @param nodeLostTimeout how long a pod may stay Unknown (node lost) before it is force-deleted so
 *     the VM can start elsewhere; zero or negative never force-deletes
 * @param gracePeriodMarginSeconds added to the VM's grace period for the pod, so the launcher can
 *     stop QEMU hard and exit after the guest's own grace period ran out
 */
public record OperatorSettings(
    String image,
    String imagePullPolicy,
    boolean requestKvmForAuto,
    int cpuMillisPerVcpu,
    boolean cpuLimits,
    boolean memoryLimits,
    MemoryOverhead overhead,
    String stateStorageClass,
    String stateStorageSize,
    Duration backoffInitial,
    Duration backoffMax,
    Duration backoffResetAfter,
    Duration nodeLostTimeout,
    long gracePeriodMarginSeconds) {

  public static final String DEFAULT_IMAGE = "ghcr.io/fastvm/node-agent:latest";

  public OperatorSettings {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(overhead, "overhead");
    if (cpuMillisPerVcpu <= 0) {
      throw new IllegalArgumentException("cpuMillisPerVcpu must be positive");
    }
  }

  public static OperatorSettings defaults() {
    return new OperatorSettings(
        DEFAULT_IMAGE,
        "IfNotPresent",
        true,
        1000,
        false,
        false,
        MemoryOverhead.defaults(),
        null,
        "64Mi",
        Duration.ofSeconds(10),
        Duration.ofMinutes(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(5),
        15);
  }

  public OperatorSettings withBackoff(Duration initial, Duration max) {
    return new OperatorSettings(
        image,
        imagePullPolicy,
        requestKvmForAuto,
        cpuMillisPerVcpu,
        cpuLimits,
        memoryLimits,
        overhead,
        stateStorageClass,
        stateStorageSize,
        initial,
        max,
        backoffResetAfter,
        nodeLostTimeout,
        gracePeriodMarginSeconds);
  }

  public OperatorSettings withNodeLostTimeout(Duration timeout) {
    return new OperatorSettings(
        image,
        imagePullPolicy,
        requestKvmForAuto,
        cpuMillisPerVcpu,
        cpuLimits,
        memoryLimits,
        overhead,
        stateStorageClass,
        stateStorageSize,
        backoffInitial,
        backoffMax,
        backoffResetAfter,
        timeout,
        gracePeriodMarginSeconds);
  }

  public OperatorSettings withRequestKvmForAuto(boolean request) {
    return new OperatorSettings(
        image,
        imagePullPolicy,
        request,
        cpuMillisPerVcpu,
        cpuLimits,
        memoryLimits,
        overhead,
        stateStorageClass,
        stateStorageSize,
        backoffInitial,
        backoffMax,
        backoffResetAfter,
        nodeLostTimeout,
        gracePeriodMarginSeconds);
  }
}
