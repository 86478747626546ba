package io.fastvm.node.metrics;

import io.fastvm.node.guestagent.GuestFacts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the node agent measures, read when its guest-facts loop visits each VM and once per round
 * for the node, and exported through {@link SampleMeters}.
 */
public final class AgentMetrics {
  private static final System.Logger LOG = System.getLogger(AgentMetrics.class.getName());
  private static final String NODE = "node";

  private final SampleMeters meters;
  private final VmReader reader;
  private final Path disk;
  private final String node;
  private final Map<String, List<GuestFacts.Traffic>> lastNics = new ConcurrentHashMap<>();

  /**
   * @param disk the folder whose file system the node's disk figures describe
   * @param node the node's name (label {@code node})
   */
  public AgentMetrics(SampleMeters meters, VmReader reader, Path disk, String node) {
    this.meters = meters;
    this.reader = reader;
    this.disk = disk;
    this.node = node;
  }

  /**
   * Reads the VM of pod {@code podUid} and replaces its samples. A VM that cannot be read this
   * round (QEMU starting or stopping: no pid, no QMP) keeps its last samples until its pod goes.
   *
   * @param nics the guest's interface counters of this round; null when its agent did not answer
   *     (its last ones stay, so a busy guest's series do not come and go)
   */
  public void readVm(
      String podUid, String namespace, String vm, Path runtimeDir, List<GuestFacts.Traffic> nics)
      throws InterruptedException {
    List<GuestFacts.Traffic> traffic =
        nics == null ? lastNics.getOrDefault(podUid, List.of()) : nics;
    lastNics.put(podUid, traffic);
    try {
      VmReading reading = reader.read(runtimeDir, podUid, traffic);
      meters.publish(podUid, VmSamples.of(namespace, vm, node, reading));
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "no metrics of VM " + namespace + "/" + vm + " this round: " + e.getMessage());
    }
  }

  /** The pod has gone: its VM's series go too. */
  public void forget(String podUid) {
    lastNics.remove(podUid);
    meters.remove(podUid);
  }

  /**
   * Forgets every VM but those of {@code running} (pods): called after each round, so a pod that
   * went while its VM was being read leaves no series behind.
   */
  public void retain(Set<String> running) {
    List.copyOf(lastNics.keySet()).stream()
        .filter(uid -> !running.contains(uid))
        .forEach(this::forget);
    reader.retain(running);
  }

  /** Replaces the node's samples. */
  public void readNode() {
    try {
      meters.publish(NODE, NodeSamples.read(reader.proc(), disk, node));
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot read the node's figures: " + e.getMessage());
    }
  }
}
