package io.fastvm.node.metrics;

import io.fastvm.node.guestagent.GuestFacts;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A VM's samples, named after KubeVirt's {@code kubevirt_vmi_*} families ({@code fastvm_vmi_*},
 * same units and types) so that dashboards and alerts written for those carry over. Every sample
 * has the labels namespace, name and node; disks add {@code drive}, NICs {@code interface}, vCPUs
 * {@code id} and {@code state}.
 */
public final class VmSamples {
  private VmSamples() {}

  /** The VM {@code namespace/name} on {@code node}. */
  public static List<Sample> of(String namespace, String name, String node, VmReading reading) {
    Tags vm = Tags.of("namespace", namespace, "name", name, "node", node);
    List<Sample> samples = new ArrayList<>();
    cpu(vm, reading, samples);
    memory(vm, reading, samples);
    for (DriveCounters drive : reading.drives()) {
      storage(vm.and("drive", drive.drive()), drive, samples);
    }
    for (GuestFacts.Traffic nic : reading.nics()) {
      network(vm.and("interface", nic.name()), nic, samples);
    }
    return samples;
  }

  private static void cpu(Tags vm, VmReading reading, List<Sample> samples) {
    ProcessStats process = reading.process();
    samples.add(
        Sample.counter(
            "fastvm.vmi.cpu.usage.seconds",
            "CPU time of the VM's QEMU process (vCPUs and emulation), user and system",
            vm,
            process.userSeconds() + process.systemSeconds()));
    samples.add(
        Sample.counter(
            "fastvm.vmi.cpu.user.usage.seconds",
            "CPU time of the VM's QEMU process in user mode",
            vm,
            process.userSeconds()));
    samples.add(
        Sample.counter(
            "fastvm.vmi.cpu.system.usage.seconds",
            "CPU time of the VM's QEMU process in the kernel",
            vm,
            process.systemSeconds()));
    for (VmReading.Vcpu vcpu : reading.vcpus()) {
      samples.add(
          Sample.counter(
              "fastvm.vmi.vcpu.seconds",
              "Time each vCPU thread ran on the host's CPUs",
              vm.and("id", Integer.toString(vcpu.id()), "state", "running"),
              vcpu.seconds()));
    }
  }

  private static void memory(Tags vm, VmReading reading, List<Sample> samples) {
    samples.add(
        Sample.gauge(
            "fastvm.vmi.memory.resident.bytes",
            "Resident memory of the VM's QEMU process",
            vm,
            reading.process().residentBytes()));
    samples.add(
        Sample.gauge(
            "fastvm.vmi.memory.domain.bytes", "RAM given to the guest", vm, reading.memoryBytes()));
  }

  private static void storage(Tags disk, DriveCounters d, List<Sample> samples) {
    counter(samples, disk, "storage.read.traffic.bytes", "Bytes read from the disk", d.readBytes());
    counter(
        samples, disk, "storage.write.traffic.bytes", "Bytes written to the disk", d.writeBytes());
    counter(samples, disk, "storage.iops.read", "Read requests of the disk", d.readOperations());
    counter(samples, disk, "storage.iops.write", "Write requests of the disk", d.writeOperations());
    counter(samples, disk, "storage.flush.requests", "Flushes of the disk", d.flushOperations());
    counter(samples, disk, "storage.read.times.seconds", "Time spent reading", d.readNanos() / 1e9);
    counter(
        samples, disk, "storage.write.times.seconds", "Time spent writing", d.writeNanos() / 1e9);
    counter(
        samples, disk, "storage.flush.times.seconds", "Time spent flushing", d.flushNanos() / 1e9);
  }

  private static void network(Tags nic, GuestFacts.Traffic t, List<Sample> samples) {
    traffic(samples, nic, "receive.bytes", "Bytes received", t, GuestFacts.Traffic::rxBytes);
    traffic(samples, nic, "transmit.bytes", "Bytes sent", t, GuestFacts.Traffic::txBytes);
    traffic(samples, nic, "receive.packets", "Packets received", t, GuestFacts.Traffic::rxPackets);
    traffic(samples, nic, "transmit.packets", "Packets sent", t, GuestFacts.Traffic::txPackets);
    traffic(samples, nic, "receive.errors", "Receive errors", t, GuestFacts.Traffic::rxErrors);
    traffic(samples, nic, "transmit.errors", "Send errors", t, GuestFacts.Traffic::txErrors);
    traffic(
        samples,
        nic,
        "receive.packets.dropped",
        "Received packets dropped",
        t,
        GuestFacts.Traffic::rxDropped);
    traffic(
        samples,
        nic,
        "transmit.packets.dropped",
        "Packets to send dropped",
        t,
        GuestFacts.Traffic::txDropped);
  }

  private static void counter(
      List<Sample> samples, Tags tags, String family, String help, double value) {
    samples.add(Sample.counter("fastvm.vmi." + family, help, tags, value));
  }

  private static void traffic(
      List<Sample> samples,
      Tags tags,
      String family,
      String help,
      GuestFacts.Traffic traffic,
      ToLongFunction<GuestFacts.Traffic> value) {
    counter(
        samples,
        tags,
        "network." + family,
        help + " by the guest's interface (its own counters)",
        value.applyAsLong(traffic));
  }
}
