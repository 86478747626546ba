package io.fastvm.node.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.node.guestagent.GuestFacts;
import io.fastvm.node.qemu.QmpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a {@link VmReading} of the VM whose launcher runs in {@code runtimeDir}: QEMU's pid from
 * its pid file and its CPU and memory from {@code /proc}; disks, vCPU threads and RAM size from the
 * agent's QMP monitor ({@code query-blockstats}, {@code query-cpus-fast}, {@code
 * query-memory-size-summary}). The monitor takes one client at a time, so it is held for the
 * reading only. QEMU's host pid is looked for among all processes once per pod, then only checked.
 */
public final class VmReader {
  private final ProcFs proc;
  private final Duration timeout;
  private final Map<String, KnownPid> pids = new ConcurrentHashMap<>();

  /** QEMU's pid in its pod's namespace, and on the host. */
  private record KnownPid(long nsPid, long hostPid) {}

  public VmReader(ProcFs proc, Duration timeout) {
    this.proc = proc;
    this.timeout = timeout;
  }

  public ProcFs proc() {
    return proc;
  }

  /**
   * @param podUid the VM pod's uid (to find QEMU among the host's processes)
   * @param nics the guest's interface counters, as its agent gave them this round
   */
  public VmReading read(Path runtimeDir, String podUid, List<GuestFacts.Traffic> nics)
      throws IOException, InterruptedException {
    long nsPid =
        Long.parseLong(Files.readString(runtimeDir.resolve(RuntimeDir.QEMU_PID_FILE)).trim());
    long pid = hostPid(nsPid, podUid);
    try (QmpClient qmp =
        QmpClient.connect(runtimeDir.resolve(RuntimeDir.QMP_SOCKET), timeout, () -> true)) {
      List<DriveCounters> drives = DriveCounters.parse(qmp.queryBlockstats(timeout));
      List<VmReading.Vcpu> vcpus = new ArrayList<>();
      Map<Long, Long> threads = proc.threadNanos(pid);
      for (JsonNode cpu : qmp.execute("query-cpus-fast", null, timeout)) {
        long nanos = threads.getOrDefault(cpu.path("thread-id").asLong(), 0L);
        vcpus.add(new VmReading.Vcpu(cpu.path("cpu-index").asInt(), nanos / 1e9));
      }
      long memory =
          qmp.execute("query-memory-size-summary", null, timeout).path("base-memory").asLong();
      return new VmReading(proc.process(pid), vcpus, memory, drives, nics);
    }
  }

  /** QEMU's pid on the host: the one found before while it still is that process. */
  private long hostPid(long nsPid, String podUid) throws IOException {
    String key = podUid == null ? "" : podUid;
    KnownPid known = pids.get(key);
    if (known != null && known.nsPid() == nsPid && proc.still(known.hostPid(), nsPid, podUid)) {
      return known.hostPid();
    }
    long pid =
        proc.hostPid(nsPid, podUid)
            .orElseThrow(
                () -> new IOException("no QEMU process with pid " + nsPid + " in its pod"));
    pids.put(key, new KnownPid(nsPid, pid));
    return pid;
  }

  /** Forgets the pids of pods not in {@code running}. */
  public void retain(Set<String> running) {
    pids.keySet().removeIf(uid -> !uid.isEmpty() && !running.contains(uid));
  }
}
