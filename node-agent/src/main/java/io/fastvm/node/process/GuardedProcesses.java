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
 *   <li>a shutdown hook kills whatever is still alive when the JVM exits normally.
 * </ul>
 */
public final class GuardedProcesses {

  private static final Path SETPRIV = findSetpriv();

  private final Set<Process> children = new CopyOnWriteArraySet<>();
  private final ExecutorService starter =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "process-starter");
            t.setDaemon(true);
            return t;
          });

  public GuardedProcesses() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::killAll, "kill-children-on-exit"));
  }

  /** Whether children die with the launcher even on SIGKILL (setpriv is installed). */
  public static boolean parentDeathSignal() {
    return SETPRIV != null;
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

  private static Path findSetpriv() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path p = Path.of(dir, "setpriv");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
