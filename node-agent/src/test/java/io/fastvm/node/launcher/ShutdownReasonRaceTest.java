package io.fastvm.node.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reason QEMU gives for stopping (its SHUTDOWN event, read on the QMP reader thread) must be
 * the one the launcher decides from, however the exit of QEMU and the delivery of that event are
 * ordered. One lucky run proves nothing, so this hammers it: QEMU (real, TCG) is stopped from
 * outside with SIGTERM right after it answers QMP, many times; every run must end CRASHED, never
 * POWERED_OFF ("the guest powered off ... by itself"), which is what a lost event looked like.
 */
class ShutdownReasonRaceTest {

  private static final int RUNS = 50;
  private static final Duration PER_RUN = Duration.ofMinutes(1);

  @TempDir Path tmp;

  @Test
  void qemuStoppedFromOutsideIsACrashInEveryOneOfManyShortRuns() throws Exception {
    GuestImage guest = TestGuests.kernelBootGuest();
    // Keep both cores busy: the reader thread then loses the race more often, if it can.
    List<Thread> load = busyThreads(Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    List<String> wrong = new ArrayList<>();
    try {
      for (int run = 0; run < RUNS; run++) {
        Path dir = Files.createDirectories(tmp.resolve("run" + run));
        TestVm vm =
            new TestVm(dir)
                .kernelBoot(guest)
                .manifest(TestVm.kernelBootVm("race", "128Mi", null, "display: {type: none}"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Launcher launcher = vm.inProcess(log);
        Future<Integer> exit = pool.submit(launcher::run);
        long qemu = awaitQemuReady(vm, exit);
        ProcessHandle.of(qemu).orElseThrow().destroy(); // SIGTERM from outside the launcher
        int code = exit.get(PER_RUN.toSeconds(), TimeUnit.SECONDS);
        String text = log.toString(StandardCharsets.UTF_8);
        if (code != LauncherInvocation.ExitCode.CRASHED
            || !text.contains("stopped by a signal from outside the launcher")) {
          wrong.add("run " + run + ": exit " + code + "\n" + text);
        }
      }
    } finally {
      load.forEach(Thread::interrupt);
      pool.shutdownNow();
    }
    assertThat(wrong).as("runs whose ending was misread").isEmpty();
  }

  /** QEMU's pid once the launcher wrote its ready file (QMP answered). */
  private static long awaitQemuReady(TestVm vm, Future<Integer> exit) throws Exception {
    Path ready = vm.runtimeDir().resolve("ready");
    Path pid = vm.runtimeDir().resolve("qemu.pid");
    long deadline = System.nanoTime() + PER_RUN.toNanos();
    while (!Files.exists(ready)) {
      if (exit.isDone()) {
        throw new AssertionError("launcher ended (" + exit.get() + ") before QEMU was ready");
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("QEMU not ready within " + PER_RUN);
      }
      Thread.onSpinWait();
      Thread.sleep(2);
    }
    return Long.parseLong(Files.readString(pid).strip());
  }

  private static List<Thread> busyThreads(int n) {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Thread t =
          Thread.ofPlatform()
              .daemon()
              .name("busy-" + i)
              .start(
                  () -> {
                    long x = 0;
                    while (!Thread.currentThread().isInterrupted()) {
                      x += System.nanoTime() & 1;
                    }
                  });
      threads.add(t);
    }
    return threads;
  }
}
