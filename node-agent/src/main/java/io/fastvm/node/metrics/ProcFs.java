package io.fastvm.node.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads processes, threads and the host's CPU and memory from a {@code /proc}. A VM's QEMU numbers
 * its process and threads in its pod's PID namespace; the node agent (with the host's PID
 * namespace) finds them by the last entry of {@code NSpid} in their {@code status}, and by the
 * pod's uid in their cgroup.
 */
public record ProcFs(Path root) {
  /** USER_HZ: the unit of {@code /proc/<pid>/stat}'s times; 100 on every Linux architecture. */
  static final double TICKS_PER_SECOND = 100;

  public static ProcFs host() {
    return new ProcFs(Path.of("/proc"));
  }

  /**
   * This namespace's pid of the process that its own namespace calls {@code nsPid}: the one in the
   * pod's cgroup, else (a pod run in this PID namespace without a pod cgroup: the tests) a QEMU
   * with that very pid.
   *
   * @param podUid the pod it runs in (null: any), to tell apart processes of different pods with
   *     the same pid in their namespaces
   */
  public Optional<Long> hostPid(long nsPid, String podUid) throws IOException {
    Path direct = root.resolve(Long.toString(nsPid));
    if (innermostPid(direct) == nsPid && inPod(nsPid, podUid)) {
      return Optional.of(nsPid);
    }
    try (Stream<Path> processes = Files.list(root)) {
      for (Path process : processes.filter(ProcFs::numbered).toList()) {
        long pid = Long.parseLong(process.getFileName().toString());
        if (innermostPid(process) == nsPid && inPod(pid, podUid)) {
          return Optional.of(pid);
        }
      }
    }
    return innermostPid(direct) == nsPid && isQemu(direct) ? Optional.of(nsPid) : Optional.empty();
  }

  /**
   * A process of pod {@code podUid} (in its cgroup: the sandbox's or a container's), or empty while
   * it has none.
   */
  public Optional<Long> processOf(String podUid) throws IOException {
    try (Stream<Path> processes = Files.list(root)) {
      for (Path process : processes.filter(ProcFs::numbered).toList()) {
        long pid = Long.parseLong(process.getFileName().toString());
        if (inPod(pid, podUid)) {
          return Optional.of(pid);
        }
      }
    }
    return Optional.empty();
  }

  /** Whether process {@code pid} is (still) one of pod {@code podUid}'s. */
  public boolean ofPod(long pid, String podUid) {
    return podUid != null && inPod(pid, podUid);
  }

  /** The network namespace of process {@code pid}, to enter with nsenter. */
  public Path networkNamespace(long pid) {
    return root.resolve(Long.toString(pid)).resolve("ns").resolve("net");
  }

  private static boolean isQemu(Path process) {
    try {
      return Files.readString(process.resolve("comm")).startsWith("qemu");
    } catch (IOException e) {
      return false;
    }
  }

  /** CPU times and resident memory of process {@code pid}. */
  public ProcessStats process(long pid) throws IOException {
    Path process = root.resolve(Long.toString(pid));
    String[] stat = afterCommand(Files.readString(process.resolve("stat")));
    // After the command: state (field 3), ..., utime (14), stime (15).
    long user = Long.parseLong(stat[11]);
    long system = Long.parseLong(stat[12]);
    long residentKib = statusField(process, "VmRSS").map(ProcFs::firstNumber).orElse(0L);
    return new ProcessStats(user / TICKS_PER_SECOND, system / TICKS_PER_SECOND, residentKib * 1024);
  }

  /**
   * Whether {@code pid} is still the process its own namespace calls {@code nsPid}, in pod {@code
   * podUid} (or, as {@link #hostPid} accepts, a QEMU): a pid found once is checked so, not looked
   * for again among all processes.
   */
  public boolean still(long pid, long nsPid, String podUid) {
    Path process = root.resolve(Long.toString(pid));
    return innermostPid(process) == nsPid && (inPod(pid, podUid) || isQemu(process));
  }

  /**
   * CPU time of each thread of process {@code pid}, in nanoseconds, by the thread id the process's
   * namespace gives it (as QMP's {@code query-cpus-fast} numbers vCPU threads).
   */
  public Map<Long, Long> threadNanos(long pid) throws IOException {
    Map<Long, Long> nanos = new HashMap<>();
    try (Stream<Path> tasks = Files.list(root.resolve(Long.toString(pid)).resolve("task"))) {
      for (Path task : tasks.toList()) {
        long nsTid = innermostPid(task);
        try {
          // schedstat: time on the CPU (ns), time waiting, time slices.
          nanos.put(nsTid, firstNumber(Files.readString(task.resolve("schedstat"))));
        } catch (IOException e) {
          // The thread ended while listed.
        }
      }
    }
    nanos.remove(-1L);
    return nanos;
  }

  /** The host's CPU time spent busy (all but idle and iowait), and the CPUs counted. */
  public HostCpu hostCpu() throws IOException {
    List<String> lines = Files.readAllLines(root.resolve("stat"));
    String[] total = lines.get(0).trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < total.length && i <= 8; i++) {
      // user nice system idle iowait irq softirq steal
      if (i != 4 && i != 5) {
        busy += Long.parseLong(total[i]);
      }
    }
    long cpus = lines.stream().filter(l -> l.matches("cpu\\d+\\s.*")).count();
    return new HostCpu(busy / TICKS_PER_SECOND, cpus);
  }

  /** MemTotal and MemAvailable of {@code meminfo}, in bytes. */
  public HostMemory hostMemory() throws IOException {
    long total = 0;
    long available = 0;
    for (String line : Files.readAllLines(root.resolve("meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        total = firstNumber(line.substring("MemTotal:".length())) * 1024;
      } else if (line.startsWith("MemAvailable:")) {
        available = firstNumber(line.substring("MemAvailable:".length())) * 1024;
      }
    }
    return new HostMemory(total, available);
  }

  /**
   * @param busySeconds CPU time of all CPUs not idle since boot
   * @param cpus online CPUs
   */
  public record HostCpu(double busySeconds, long cpus) {}

  public record HostMemory(long totalBytes, long availableBytes) {}

  private boolean inPod(long pid, String podUid) {
    if (podUid == null) {
      return true;
    }
    try {
      String cgroup = Files.readString(root.resolve(Long.toString(pid)).resolve("cgroup"));
      // cgroupfs names the pod's cgroup pod<uid>, the systemd driver pod<uid with _ for ->.
      return cgroup.contains(podUid) || cgroup.contains(podUid.replace('-', '_'));
    } catch (IOException e) {
      return false;
    }
  }

  /** The last {@code NSpid} of a process or thread folder; -1 when there is none. */
  private static long innermostPid(Path folder) {
    try {
      return statusField(folder, "NSpid")
          .map(v -> v.trim().split("\\s+"))
          .map(ids -> Long.parseLong(ids[ids.length - 1]))
          .orElse(-1L);
    } catch (IOException | RuntimeException e) {
      return -1; // gone, or not a process
    }
  }

  private static Optional<String> statusField(Path folder, String field) throws IOException {
    String prefix = field + ":";
    for (String line : Files.readAllLines(folder.resolve("status"))) {
      if (line.startsWith(prefix)) {
        return Optional.of(line.substring(prefix.length()));
      }
    }
    return Optional.empty();
  }

  private static boolean numbered(Path p) {
    return p.getFileName().toString().chars().allMatch(Character::isDigit);
  }

  /** The fields of a {@code stat} line after the command, which may itself hold spaces. */
  private static String[] afterCommand(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
  }

  private static long firstNumber(String text) {
    return Long.parseLong(text.trim().split("\\s+")[0]);
  }
}
