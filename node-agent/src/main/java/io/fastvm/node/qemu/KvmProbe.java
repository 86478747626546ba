package io.fastvm.node.qemu;

import io.fastvm.node.process.GuardedProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Proves that KVM runs guest code, with a timeout: {@code /dev/kvm} may exist and still hang
 * (nested virtualisation without the features a real guest needs). QEMU boots a 64 KiB firmware
 * that goes from real mode through protected mode into long mode, as every 64-bit guest does, then
 * writes to isa-debug-exit; QEMU then exits with status 3. A hang or any other status means KVM is
 * not usable. The assembly source is {@code kvm-probe.S} beside this class.
 *
 * <p>The answer is cached per host boot ({@code /proc/sys/kernel/random/boot_id}), so only the
 * first VM started after a reboot pays for the probe. A negative answer is kept for an hour only,
 * in case it came from a moment of extreme load; a probe that could not run is not cached.
 */
public final class KvmProbe {

  /** The result, with why, for the log. */
  public record Result(boolean works, String reason, boolean cached) {}

  /** Machine code of kvm-probe.S, placed at the start of the 64 KiB ROM. */
  private static final byte[] CODE =
      HexFormat.of()
          .parseHex(
              "fa2e660f0116b8000f20c06683c8010f22c066ea1a000f00080066b810008ed88ec08ed0bf0010000031c0"
                  + "b9000c0000f3abc7050010000003200000c7050020000003300000c70500300000830000000f20e0"
                  + "83c8200f22e0b8001000000f22d8b9800000c00f320d000100000f300f20c00d000000800f22c0ea"
                  + "81000f00180048b889674523010000004889c3b001e6f4f4ebfd8d74000000000000000000ffff00"
                  + "00009acf00ffff00000092cf00ffff0000009aaf001f0098000f");

  /** The reset vector at 0xFFFF0: {@code ljmp $0xF000, $0}. */
  private static final byte[] RESET_VECTOR = HexFormat.of().parseHex("ea000000f0");

  private static final int EXPECTED_STATUS = 3;

  private static final Duration NEGATIVE_ANSWER_LIFETIME = Duration.ofHours(1);

  /** The probe's QEMU dies with the launcher, like the VM's. */
  private static final GuardedProcesses PROCESSES = new GuardedProcesses();

  /** A probe's answer and whether it is worth remembering. */
  private record Outcome(Result result, boolean definitive) {}

  private final Path qemuBinary;
  private final Path cacheDir;
  private final Duration timeout;

  /**
   * @param cacheDir where the answer is kept per host boot; null caches nothing
   */
  public KvmProbe(Path qemuBinary, Path cacheDir, Duration timeout) {
    this.qemuBinary = qemuBinary;
    this.cacheDir = cacheDir;
    this.timeout = timeout;
  }

  public Result run() throws InterruptedException {
    if (!Files.exists(Path.of("/dev/kvm"))) {
      return new Result(false, "/dev/kvm does not exist", false);
    }
    if (!Files.isReadable(Path.of("/dev/kvm")) || !Files.isWritable(Path.of("/dev/kvm"))) {
      return new Result(false, "/dev/kvm is not accessible to this user", false);
    }
    Path cache = cacheFile();
    if (cache != null) {
      try {
        String cached = Files.readString(cache).strip();
        int tab = cached.indexOf('\t');
        boolean works = cached.startsWith("works");
        Instant written = Files.getLastModifiedTime(cache).toInstant();
        if (tab > 0 && (works || written.plus(NEGATIVE_ANSWER_LIFETIME).isAfter(Instant.now()))) {
          return new Result(works, cached.substring(tab + 1), true);
        }
      } catch (IOException e) {
        // not cached yet
      }
    }
    Outcome outcome = probe();
    Result result = outcome.result();
    if (cache != null && outcome.definitive()) {
      try {
        Files.createDirectories(cache.getParent());
        Path tmp = Files.createTempFile(cache.getParent(), "kvm-probe", ".tmp");
        Files.writeString(tmp, (result.works() ? "works" : "fails") + "\t" + result.reason());
        Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // An uncached answer is still an answer.
      }
    }
    return result;
  }

  private Path cacheFile() {
    if (cacheDir == null) {
      return null;
    }
    try {
      String bootId =
          Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII)
              .strip();
      return cacheDir.resolve("kvm-probe-" + bootId);
    } catch (IOException e) {
      return null;
    }
  }

  private Outcome probe() throws InterruptedException {
    Path rom = null;
    Process process = null;
    try {
      rom = Files.createTempFile("fastvm-kvm-probe", ".rom");
      byte[] image = new byte[64 * 1024];
      System.arraycopy(CODE, 0, image, 0, CODE.length);
      System.arraycopy(RESET_VECTOR, 0, image, 0xFFF0, RESET_VECTOR.length);
      Files.write(rom, image);
      process =
          PROCESSES.start(
              List.of(
                  qemuBinary.toString(),
                  "-accel",
                  "kvm",
                  "-machine",
                  "q35",
                  "-m",
                  "16",
                  "-nodefaults",
                  "-no-user-config",
                  "-display",
                  "none",
                  "-bios",
                  rom.toString(),
                  "-device",
                  "isa-debug-exit,iobase=0xf4,iosize=4"),
              pb -> pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD));
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return new Outcome(
            new Result(
                false,
                "a KVM test guest did not reach long mode within " + timeout.toMillis() + " ms",
                false),
            true);
      }
      int status = process.exitValue();
      return new Outcome(
          status == EXPECTED_STATUS
              ? new Result(true, "a KVM test guest ran in long mode", false)
              : new Result(
                  false, "the KVM test guest failed (QEMU exit status " + status + ")", false),
          true);
    } catch (IOException e) {
      return new Outcome(
          new Result(false, "cannot run the KVM probe: " + e.getMessage(), false), false);
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      if (rom != null) {
        try {
          Files.deleteIfExists(rom);
        } catch (IOException ignored) {
          // temp file
        }
      }
    }
  }
}
