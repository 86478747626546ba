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

  private LauncherProcess(Process process, Path runtimeDir) {
    this.process = process;
    this.runtimeDir = runtimeDir;
    pump(process.getInputStream(), "stdout");
    pump(process.getErrorStream(), "stderr");
  }

  /**
   * Starts {@code fastvm-launcher args}.
   *
   * @param runtimeDir the --runtime-dir among {@code args} (to find QEMU's pid file)
   * @param env extra environment variables
   */
  public static LauncherProcess start(List<String> args, Path runtimeDir, Map<String, String> env)
      throws IOException {
    List<String> command = new ArrayList<>();
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

  private void pump(InputStream stream, String name) {
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
  }

  /** Waits for a line (stdout or stderr) matching {@code predicate}; fails with the output. */
  public String awaitLine(Predicate<String> predicate, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (predicate.test(lines.get(seen))) {
            return lines.get(seen);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no matching line within " + timeout + "; output so far:\n" + output());
        }
        if (!process.isAlive() && seen == lines.size()) {
          // Let the pumps drain, then one last look.
          lines.wait(200);
          if (seen == lines.size()) {
            throw new AssertionError(
                "launcher exited ("
                    + process.exitValue()
                    + ") without a matching line; output:\n"
                    + output());
          }
          continue;
        }
        lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 500)));
      }
    }
  }

  /** Waits for a line containing {@code text}. */
  public String awaitLine(String text, Duration timeout) throws InterruptedException {
    return awaitLine(l -> l.contains(text), timeout);
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
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("launcher still running after " + timeout + ":\n" + output());
    }
    // Let the output pumps finish.
    Thread.sleep(100);
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
