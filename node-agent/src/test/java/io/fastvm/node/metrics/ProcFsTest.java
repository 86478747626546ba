package io.fastvm.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProcFs} on a {@code /proc} written out here: two pods whose QEMUs have the same pid in
 * their own namespaces (the real host's /proc has one namespace; VmMetricsQemuTest reads it).
 */
class ProcFsTest {
  static final String POD_A = "0b1c2d3e-1111-2222-3333-444455556666";
  static final String POD_B = "9f8e7d6c-1111-2222-3333-444455556666";

  @TempDir Path proc;

  @Test
  void findsQemuOfTheRightPodByItsNamespacePid() throws Exception {
    process(4001, "4001 7", "/kubepods/pod" + POD_A + "/abc");
    process(4002, "4002 7", "/kubepods.slice/kubepods-pod" + POD_B.replace('-', '_') + ".slice");
    process(7, "7", "/");
    process(12, "12", "/user.slice");
    Files.writeString(proc.resolve("12/comm"), "qemu-system-x86\n");
    ProcFs fs = new ProcFs(proc);
    assertThat(fs.hostPid(7, POD_A)).contains(4001L);
    assertThat(fs.hostPid(7, POD_B)).contains(4002L);
    // Same namespace as the agent (fastvm run, the tests): the pid is the pid.
    assertThat(fs.hostPid(7, null)).contains(7L);
    assertThat(fs.hostPid(8, POD_A)).isEmpty();
    // No pod cgroup (a pod run in the agent's namespace, as the tests do): a QEMU with that pid.
    assertThat(fs.hostPid(12, POD_A)).contains(12L);
    assertThat(fs.hostPid(7, "another-pod")).as("pid 7 is no QEMU").isEmpty();
    // A pid found once is checked, not looked for again: the same process, or not.
    assertThat(fs.still(4001, 7, POD_A)).isTrue();
    assertThat(fs.still(4001, 7, POD_B)).isFalse();
    assertThat(fs.still(4001, 8, POD_A)).isFalse();
    assertThat(fs.still(12, 12, POD_A)).isTrue();
    assertThat(fs.still(7, 7, "another-pod")).isFalse();
  }

  @Test
  void aPodsNetworkNamespaceIsThatOfAnyOfItsProcesses() throws Exception {
    process(7, "7", "/user.slice");
    process(4002, "4002 1", "/kubepods.slice/kubepods-pod" + POD_B.replace('-', '_') + ".slice");
    ProcFs fs = new ProcFs(proc);
    assertThat(fs.processOf(POD_B)).contains(4002L);
    assertThat(fs.networkNamespace(4002)).isEqualTo(proc.resolve("4002/ns/net"));
    assertThat(fs.ofPod(4002, POD_B)).isTrue();
    assertThat(fs.ofPod(7, POD_B)).isFalse();
    assertThat(fs.processOf(POD_A)).as("a pod without a process yet").isEmpty();
  }

  @Test
  void cpuTimesAndResidentMemoryOfAProcessWhoseNameHasSpaces() throws Exception {
    process(4001, "4001 7", "/");
    Path dir = proc.resolve("4001");
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    Files.writeString(
        dir.resolve("stat"), "4001 (qemu ) x) S 1 1 1 0 -1 0 0 0 0 0 250 75 0 0 20\n");
    assertThat(new ProcFs(proc).process(4001)).isEqualTo(new ProcessStats(2.5, 0.75, 2048 * 1024));
  }

  @Test
  void vcpuThreadTimeByTheThreadIdQmpGives() throws Exception {
    process(4001, "4001 7", "/");
    Path thread = Files.createDirectories(proc.resolve("4001/task/4005"));
    Files.writeString(thread.resolve("status"), "Name:\tCPU 0/TCG\nNSpid:\t4005\t11\n");
    Files.writeString(thread.resolve("schedstat"), "1500000000 2000 30\n");
    assertThat(new ProcFs(proc).threadNanos(4001)).containsExactly(Map.entry(11L, 1_500_000_000L));
  }

  @Test
  void hostCpuAndMemory() throws Exception {
    Files.writeString(
        proc.resolve("stat"),
        "cpu  100 20 30 1000 50 5 5 0 0 0\ncpu0 50 10 15 500 25 2 3 0 0 0\n"
            + "cpu1 50 10 15 500 25 3 2 0 0 0\nintr 1\n");
    Files.writeString(
        proc.resolve("meminfo"),
        "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   12000000 kB\n");
    ProcFs fs = new ProcFs(proc);
    assertThat(fs.hostCpu()).isEqualTo(new ProcFs.HostCpu(1.6, 2));
    assertThat(fs.hostMemory())
        .isEqualTo(new ProcFs.HostMemory(24_000_000L * 1024, 12_000_000L * 1024));
  }

  private void process(long pid, String nsPids, String cgroup) throws Exception {
    Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(
        dir.resolve("status"), "Name:\tqemu\nNSpid:\t" + nsPids + "\nVmRSS:\t    2048 kB\n");
    Files.writeString(dir.resolve("cgroup"), "0::" + cgroup + "\n");
  }
}
