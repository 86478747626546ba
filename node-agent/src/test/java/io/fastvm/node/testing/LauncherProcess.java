package io.fastvm.node.testing;

import io.fastvm.node.launcher.LauncherMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The launcher as its own JVM process, as a VM pod runs it ({@code fastvm-launcher ARGS}), with the
 * JVM options of {@code launcher-jvm.options}. Collects stdout (the serial console) and stderr;
 * {@link #close()} makes sure nothing is left running: the launcher, and QEMU by the pid file in
 * the runtime directory.
 */
public final class LauncherProcess implements AutoCloseable {

  private final Process process;
  private final Path runtimeDir;
  private final List<String> lines = new ArrayList<>();
  private final StringBuilder stdout = new StringBuilder();
  private final List<Thread> pumps = new ArrayList<>();

  private LauncherProcess(Process process, Path runtimeDir) {
    this.process = process;
    this.runtimeDir = runtimeDir;
    pumps.add(pump(process.getInputStream(), "stdout"));
    pumps.add(pump(process.getErrorStream(), "stderr"));
  }

  /**
   * Starts {@code fastvm-launcher args}.
   *
   * @param runtimeDir the --runtime-dir among {@code args} (to find QEMU's pid file)
   * @param env extra environment variables
   */
  public static LauncherProcess start(List<String> args, Path runtimeDir, Map<String, String> env)
      throws IOException {
    return start(List.of(), args, runtimeDir, env);
  }

  /**
   * As {@link #start(List, Path, Map)}, the command run by {@code prefix} (e.g. {@code ip netns
   * exec NAME}).
   */
  public static LauncherProcess start(
      List<String> prefix, List<String> args, Path runtimeDir, Map<String, String> env)
      throws IOException {
    List<String> command = new ArrayList<>(prefix);
    // Its own process group, as a shell gives a foreground job: see signalGroup.
    command.add("setsid");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions());
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(LauncherMain.class.getName());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("MALLOC_ARENA_MAX", "2"); // as fastvm-launcher sets it
    pb.environment().putAll(env);
    return new LauncherProcess(pb.start(), runtimeDir);
  }

  /** The launcher's JVM options, from the same file the pod image and ./fastvm use. */
  public static List<String> jvmOptions() {
    try (InputStream in =
        LauncherMain.class.getResourceAsStream("/io/fastvm/node/launcher/launcher-jvm.options")) {
      if (in == null) {
        return List.of();
      }
      List<String> options = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String option = line.strip();
        if (!option.isEmpty() && !option.startsWith("#")) {
          options.add(option);
        }
      }
      return options;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Thread pump(InputStream stream, String name) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  synchronized (lines) {
                    lines.add(line);
                    if (name.equals("stdout")) {
                      stdout.append(line).append('\n');
                    }
                    lines.notifyAll();
                  }
                }
              } catch (IOException e) {
                // process gone
              }
            },
            "launcher-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits until both pumps read the end of the launcher's output (it exited, or closed them). */
  private void joinPumps(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread pump : pumps) {
      pump.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (pump.isAlive()) {
        throw new AssertionError(
            "the launcher exited but its " + pump.getName() + " is still open after " + timeout);
      }
    }
  }

  /** Waits for a line (stdout or stderr) matching {@code predicate}; fails with the output. */
  public String awaitLine(Predicate<String> predicate, Duration timeout)
      throws InterruptedException {
    return awaitLine(predicate, TestBudget.of(timeout, "this step"), "a matching line");
  }

  /** Waits for a line containing {@code text}. */
  public String awaitLine(String text, Duration timeout) throws InterruptedException {
    return awaitLine(l -> l.contains(text), timeout);
  }

  /** Waits for a line containing {@code text}, within what is left of {@code budget}. */
  public String awaitLine(String text, TestBudget budget) throws InterruptedException {
    return awaitLine(l -> l.contains(text), budget, "\"" + text + "\"");
  }

  /**
   * Waits for a line matching {@code predicate} within what is left of {@code budget}; fails with
   * the output, naming {@code step}.
   */
  public String awaitLine(Predicate<String> predicate, TestBudget budget, String step)
      throws InterruptedException {
    int seen = 0;
    while (true) {
      boolean exited = !process.isAlive();
      if (exited) {
        // Everything it wrote is read once the pumps end; then one last look.
        joinPumps(Duration.ofSeconds(30));
      }
      synchronized (lines) {
        for (; seen < lines.size(); seen++) {
          if (predicate.test(lines.get(seen))) {
            return lines.get(seen);
          }
        }
        if (exited) {
          throw new AssertionError(
              "launcher exited ("
                  + process.exitValue()
                  + ") without "
                  + step
                  + "; output:\n"
                  + output());
        }
        Duration left;
        try {
          left = budget.left(step);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "; output so far:\n" + output());
        }
        lines.wait(Math.max(1, Math.min(left.toMillis(), 500)));
      }
    }
  }

  /** What a test sends the guest, e.g. a line written to its serial console. */
  @FunctionalInterface
  public interface GuestInput {
    void send() throws IOException;
  }

  /**
   * Sends {@code input} until a line containing {@code expected} comes back, waiting {@code
   * patience} after each try and {@code timeout} in all. The guest says it is ready just before its
   * serial shell starts, and a line typed in that moment can be lost under TCG; sending it again is
   * harmless for the idempotent commands tests type.
   */
  public String sendUntilLine(
      GuestInput input, String expected, Duration patience, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      input.send();
      try {
        return awaitLine(
            l -> l.contains(expected),
            TestBudget.of(patience, "one try"),
            "\"" + expected + "\" after typing");
      } catch (AssertionError e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  private static final java.util.regex.Pattern CONSOLE_ENDPOINT =
      java.util.regex.Pattern.compile("fastvm: console endpoint \\(.*\\) on \\S*:(\\d+): \\[");

  /**
   * The port the launcher's console endpoint listens on, from its log line: tests give it port 0
   * ({@code --console-listen=127.0.0.1:0}), so no port is picked and then raced for.
   */
  public int awaitConsolePort(Duration timeout) throws InterruptedException {
    String line =
        awaitLine(
            l -> CONSOLE_ENDPOINT.matcher(l).find(),
            TestBudget.of(timeout, "the console endpoint"),
            "the console endpoint's address");
    var m = CONSOLE_ENDPOINT.matcher(line);
    m.find();
    return Integer.parseInt(m.group(1));
  }

  /** Guest lines {@code FASTVM-GUEST ...} seen so far, without the prefix. */
  public List<String> guestLines() {
    synchronized (lines) {
      return lines.stream()
          .filter(l -> l.contains("FASTVM-GUEST "))
          .map(l -> l.substring(l.indexOf("FASTVM-GUEST ") + "FASTVM-GUEST ".length()).strip())
          .toList();
    }
  }

  /** All output so far, stdout and stderr interleaved as read. */
  public String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** Sends a signal (TERM, INT, KILL) to the launcher. */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-s", name, String.valueOf(process.pid()))
            .redirectErrorStream(true)
            .start();
    kill.getInputStream().readAllBytes();
    kill.waitFor();
  }

  /**
   * Sends a signal to the launcher's whole process group, as a terminal does on Ctrl-C ({@code
   * INT}) for the foreground job.
   */
  public void signalGroup(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-s", name, "--", "-" + process.pid())
            .redirectErrorStream(true)
            .start();
    kill.getInputStream().readAllBytes();
    kill.waitFor();
  }

  public int awaitExit(Duration timeout) throws InterruptedException {
    return awaitExit(TestBudget.of(timeout, "this step"));
  }

  /** Waits for the launcher to exit within what is left of {@code budget}; its exit code. */
  public int awaitExit(TestBudget budget) throws InterruptedException {
    while (process.isAlive()) {
      Duration left;
      try {
        left = budget.left("the launcher to exit");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; output:\n" + output());
      }
      process.waitFor(Math.min(left.toMillis(), 500) + 1, TimeUnit.MILLISECONDS);
    }
    joinPumps(Duration.ofSeconds(30));
    return process.exitValue();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** QEMU's pid from the pid file, once QEMU wrote it. */
  public Optional<Long> qemuPid() {
    try {
      return Optional.of(Long.parseLong(Files.readString(runtimeDir.resolve("qemu.pid")).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() throws InterruptedException {
    Optional<Long> qemu = qemuPid();
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    // The launcher's children die with it. Check it, and never leave anything behind anyway.
    qemu.flatMap(ProcessHandle::of)
        .filter(h -> h.info().command().map(c -> c.contains("qemu")).orElse(false))
        .ifPresent(ProcessHandle::destroyForcibly);
    List<ProcessHandle> left = leftBehind();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      left = leftBehind();
    }
    if (!left.isEmpty()) {
      String names =
          left.stream()
              .map(h -> h.pid() + " " + h.info().commandLine().orElse("?"))
              .reduce((a, b) -> a + "\n" + b)
              .orElse("");
      left.forEach(ProcessHandle::destroyForcibly);
      throw new AssertionError("processes outlived the launcher:\n" + names);
    }
  }

  /** Processes (QEMU, swtpm) whose command line names this launcher's runtime directory. */
  private List<ProcessHandle> leftBehind() {
    String dir = runtimeDir.toString();
    return ProcessHandle.allProcesses()
        .filter(h -> h.pid() != ProcessHandle.current().pid())
        .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(dir)).orElse(false))
        .filter(ProcessHandle::isAlive)
        .toList();
  }
}
