package io.fastvm.node.labels;

import com.fasterxml.jackson.databind.JsonNode;
import io.fastvm.node.process.GuardedProcesses;
import io.fastvm.node.qemu.AcceleratorKind;
import io.fastvm.node.qemu.QmpClient;
import io.fastvm.node.qemu.QmpException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The CPU models the node's own QEMU can run, as QEMU itself says ({@code query-cpu-definitions}):
 * a model is usable when none of its features is unavailable with the accelerator, which depends on
 * the host CPU under KVM and on what TCG emulates otherwise. Asking the real binary, rather than
 * keeping a list, keeps the answer right across QEMU versions and hosts.
 *
 * <p>QEMU runs with {@code -machine none} (no guest, nothing to boot) for the time of one QMP
 * command, and is quit, or killed, before this returns.
 */
public final class CpuModels {

  /** The host's own CPU, passed through; only KVM can offer it. */
  public static final String HOST = "host";

  /** The probe's QEMU dies with the agent, like the launcher's. */
  private static final GuardedProcesses PROCESSES = new GuardedProcesses();

  /** What QEMU may print before it fails, for the error. */
  private static final int OUTPUT_LIMIT = 2000;

  private final Path qemuBinary;
  private final Path tempRoot;
  private final Duration timeout;

  /** Asks {@code qemuBinary}, with its socket folder in {@code java.io.tmpdir}. */
  public CpuModels(Path qemuBinary, Duration timeout) {
    this(qemuBinary, Path.of(System.getProperty("java.io.tmpdir")), timeout);
  }

  /**
   * @param tempRoot where the folder of QEMU's QMP socket and log is made (and deleted again)
   * @param timeout for all of it: QEMU's start, the question and its quit
   */
  public CpuModels(Path qemuBinary, Path tempRoot, Duration timeout) {
    this.qemuBinary = qemuBinary;
    this.tempRoot = tempRoot;
    this.timeout = timeout;
  }

  /** QEMU could not tell its CPU models: it failed to start, exited, or did not answer in time. */
  public static final class CpuModelsException extends IOException {
    public CpuModelsException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The usable models under {@code accelerator}, sorted; deprecated ones are left out, since new
   * VMs should not be placed by them. {@link #HOST} is in the answer exactly when {@code
   * accelerator} is KVM.
   */
  public SortedSet<String> query(AcceleratorKind accelerator)
      throws CpuModelsException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Path dir = null;
    Process qemu = null;
    try {
      dir = Files.createTempDirectory(tempRoot, "fastvm-cpu-models");
      Path socket = dir.resolve("qmp.sock");
      Path log = dir.resolve("qemu.log");
      qemu =
          PROCESSES.start(
              argv(accelerator, socket),
              pb -> pb.redirectErrorStream(true).redirectOutput(log.toFile()));
      Process running = qemu;
      try (QmpClient qmp = QmpClient.connect(socket, left(deadline), running::isAlive)) {
        SortedSet<String> models =
            usable(qmp.execute("query-cpu-definitions", null, left(deadline)));
        // QEMU under TCG lists "host" as unavailable; under KVM as usable: say so either way.
        if (accelerator == AcceleratorKind.KVM) {
          models.add(HOST);
        } else {
          models.remove(HOST);
        }
        try {
          qmp.quit(left(deadline));
        } catch (QmpException e) {
          // QEMU may close the connection before it answers "quit"; it is killed below if need be.
        }
        return Collections.unmodifiableSortedSet(models);
      } catch (QmpException e) {
        throw new CpuModelsException(failure(accelerator, running, log) + ": " + e.getMessage(), e);
      }
    } catch (CpuModelsException e) {
      throw e;
    } catch (IOException e) {
      throw new CpuModelsException(
          "cannot run " + describe(accelerator) + ": " + e.getMessage(), e);
    } finally {
      stop(qemu, deadline);
      deleteTree(dir);
    }
  }

  private List<String> argv(AcceleratorKind accelerator, Path socket) {
    return List.of(
        qemuBinary.toString(),
        "-machine",
        "none",
        "-accel",
        accelerator.qemuName(),
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-qmp",
        "unix:" + socket + ",server=on,wait=off");
  }

  /** The names whose {@code unavailable-features} is empty, not deprecated. */
  static SortedSet<String> usable(JsonNode definitions) {
    SortedSet<String> models = new TreeSet<>();
    for (JsonNode definition : definitions) {
      JsonNode unavailable = definition.path("unavailable-features");
      // An answer without the field says nothing about the model: not usable.
      if (unavailable.isArray()
          && unavailable.isEmpty()
          && !definition.path("deprecated").asBoolean(false)
          && definition.path("name").isTextual()) {
        models.add(definition.get("name").asText());
      }
    }
    return models;
  }

  private String describe(AcceleratorKind accelerator) {
    return qemuBinary + " -accel " + accelerator.qemuName();
  }

  private static Duration left(long deadline) {
    // At least a little, so a nearly spent budget still gives a clear timeout, not a zero wait.
    return Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000L));
  }

  private String failure(AcceleratorKind accelerator, Process qemu, Path log) {
    StringBuilder why = new StringBuilder(describe(accelerator));
    if (qemu.isAlive()) {
      why.append(" did not list its CPU models within ").append(timeout.toMillis()).append(" ms");
    } else {
      why.append(" exited with status ")
          .append(qemu.exitValue())
          .append(" before it listed its CPU models");
    }
    try {
      String output = Files.readString(log, StandardCharsets.UTF_8).strip();
      if (!output.isEmpty()) {
        why.append(" (it said: ")
            .append(output.length() > OUTPUT_LIMIT ? output.substring(0, OUTPUT_LIMIT) : output)
            .append(')');
      }
    } catch (IOException e) {
      // no output to add
    }
    return why.toString();
  }

  /** Waits for QEMU to end after "quit" (what is left of the budget), then kills it. */
  private static void stop(Process qemu, long deadline) throws InterruptedException {
    if (qemu == null) {
      return;
    }
    if (!qemu.waitFor(left(deadline).toMillis(), TimeUnit.MILLISECONDS)) {
      qemu.destroyForcibly();
      qemu.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(CpuModels::deleteQuietly);
    } catch (IOException e) {
      // a temp folder: nothing more to do
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a temp file
    }
  }
}
