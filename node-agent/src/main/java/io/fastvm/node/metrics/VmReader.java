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

/**
 * Reads a {@link VmReading} of the VM whose launcher runs in {@code runtimeDir}: QEMU's pid from
 * its pid file and its CPU and memory from {@code /proc}; disks, vCPU threads and RAM size from the
 * agent's QMP monitor ({@code query-blockstats}, {@code query-cpus-fast}, {@code
 * query-memory-size-summary}). The monitor takes one client at a time, so it is held for the
 * reading only.
 */
public record VmReader(ProcFs proc, Duration timeout) {

  /**
   * @param podUid the VM pod's uid (to find QEMU among the host's processes)
   * @param nics the guest's interface counters, as its agent gave them this round
   */
  public VmReading read(Path runtimeDir, String podUid, List<GuestFacts.Traffic> nics)
      throws IOException, InterruptedException {
    long nsPid =
        Long.parseLong(Files.readString(runtimeDir.resolve(RuntimeDir.QEMU_PID_FILE)).trim());
    long pid =
        proc.hostPid(nsPid, podUid)
            .orElseThrow(
                () -> new IOException("no QEMU process with pid " + nsPid + " in its pod"));
    try (QmpClient qmp =
        QmpClient.connect(runtimeDir.resolve(RuntimeDir.QMP_SOCKET), timeout, () -> true)) {
      List<DriveCounters> drives = DriveCounters.parse(qmp.queryBlockstats(timeout));
      List<VmReading.Vcpu> vcpus = new ArrayList<>();
      for (JsonNode cpu : qmp.execute("query-cpus-fast", null, timeout)) {
        long nanos = proc.threadNanos(pid, cpu.path("thread-id").asLong()).orElse(0L);
        vcpus.add(new VmReading.Vcpu(cpu.path("cpu-index").asInt(), nanos / 1e9));
      }
      long memory =
          qmp.execute("query-memory-size-summary", null, timeout).path("base-memory").asLong();
      return new VmReading(proc.process(pid), vcpus, memory, drives, nics);
    }
  }
}
