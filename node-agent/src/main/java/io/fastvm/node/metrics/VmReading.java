package io.fastvm.node.metrics;

import io.fastvm.node.guestagent.GuestFacts;
import java.util.List;

/**
 * One look at a running VM, for its metrics.
 *
 * @param process QEMU's CPU time and resident memory
 * @param vcpus each vCPU thread's time on the host's CPUs
 * @param memoryBytes the guest's RAM
 * @param drives each disk's I/O counters
 * @param nics each guest interface's counters (empty without a guest agent)
 */
public record VmReading(
    ProcessStats process,
    List<Vcpu> vcpus,
    long memoryBytes,
    List<DriveCounters> drives,
    List<GuestFacts.Traffic> nics) {

  public VmReading {
    vcpus = List.copyOf(vcpus);
    drives = List.copyOf(drives);
    nics = List.copyOf(nics);
  }

  /** vCPU {@code id} ({@code cpu-index}) ran {@code seconds} on the host. */
  public record Vcpu(int id, double seconds) {}
}
