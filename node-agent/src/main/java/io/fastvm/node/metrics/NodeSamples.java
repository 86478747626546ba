package io.fastvm.node.metrics;

import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The node's samples: its CPUs, memory and the file system VM disks live on. */
public final class NodeSamples {
  private NodeSamples() {}

  /**
   * @param disk a folder on the file system to report (the kubelet's pod folder: emptyDirs and
   *     local volumes)
   */
  public static List<Sample> read(ProcFs proc, Path disk, String node) throws IOException {
    Tags tags = Tags.of("node", node);
    ProcFs.HostCpu cpu = proc.hostCpu();
    ProcFs.HostMemory memory = proc.hostMemory();
    FileStore store = Files.getFileStore(disk);
    Tags fs = tags.and("path", disk.toString());
    return List.of(
        Sample.gauge("fastvm.node.cpus", "CPUs of the node", tags, cpu.cpus()),
        Sample.counter(
            "fastvm.node.cpu.busy.seconds",
            "CPU time of all the node's CPUs not idle (nor waiting for I/O)",
            tags,
            cpu.busySeconds()),
        Sample.gauge(
            "fastvm.node.memory.total.bytes", "Memory of the node", tags, memory.totalBytes()),
        Sample.gauge(
            "fastvm.node.memory.available.bytes",
            "Memory available to new work (MemAvailable)",
            tags,
            memory.availableBytes()),
        Sample.gauge(
            "fastvm.node.filesystem.size.bytes",
            "Size of the file system of the kubelet's pods",
            fs,
            store.getTotalSpace()),
        Sample.gauge(
            "fastvm.node.filesystem.available.bytes",
            "Space left on the file system of the kubelet's pods",
            fs,
            store.getUsableSpace()));
  }
}
