package io.fastvm.node.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Starts child processes (QEMU, swtpm) so that none outlives the launcher, however it ends:
 *
 * <ul>
 *   <li>each child runs under {@code setpriv --pdeathsig KILL}: the kernel kills it when the thread
 *       that started it dies, even when the launcher is killed with SIGKILL. All children are
 *       started from one thread that lives as long as the launcher;
 *   <li>a shutdown hook kills whatever is still alive when the JVM exits normally;
 *   <li>each child runs in its own session ({@code setsid}), so a Ctrl-C on the terminal of {@code
 *       fastvm run} reaches only the launcher (which powers the guest down) and not QEMU, which
 *       would otherwise quit at once.
 * </ul>
 */
public final class GuardedProcesses {

  private static final Path SETPRIV = find("setpriv");
  private static final Path SETSID = find("setsid");

  private final Set<Process> children = new CopyOnWriteArraySet<>();
  private final ExecutorService starter =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("process-starter").daemon().factory());

  public GuardedProcesses() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::killAll, "kill-children-on-exit"));
  }

  /**
   * Starts {@code argv} (no shell).
   *
   * @param configure sets redirects and the environment on the ProcessBuilder
   */
  public Process start(List<String> argv, UnaryOperator<ProcessBuilder> configure)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (SETPRIV != null) {
      command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
    }
    if (SETSID != null) {
      // Not a process group leader, so setsid(1) calls setsid(2) and execs without forking.
      command.add(SETSID.toString());
    }
    command.addAll(argv);
    Future<Process> started =
        starter.submit(() -> configure.apply(new ProcessBuilder(command)).start());
    try {
      Process process = started.get();
      children.add(process);
      process.onExit().thenAccept(children::remove);
      return process;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  /** Kills every child still alive and waits briefly for them. */
  public void killAll() {
    for (Process p : children) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : children) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static Path find(String name) {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
