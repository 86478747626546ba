package io.fastvm.node.volume.populate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Images for tests, made and compared with the real qemu-img and qemu-io. */
public final class TestImages {
  private TestImages() {}

  public static final int MIB = 1 << 20;

  /** Skips the test when qemu-img or qemu-io is not installed (dev/test installs qemu-utils). */
  public static void assumeQemuTools() {
    for (String tool : List.of("qemu-img", "qemu-io")) {
      Assumptions.assumeTrue(
          Files.isExecutable(Path.of("/usr/bin", tool)), tool + " is not installed (qemu-utils)");
    }
  }

  /**
   * {@code size} bytes of a raw disk: random data from {@code seed} with a MiB of zeros in the
   * middle, so that sparse handling shows.
   */
  public static byte[] rawDisk(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    int middle = size / 2 / MIB * MIB;
    java.util.Arrays.fill(data, middle, Math.min(size, middle + MIB), (byte) 0);
    return data;
  }

  /** A file holding {@code content}, converted to {@code format} (raw: the bytes as they are). */
  public static Path image(Path dir, String name, byte[] content, String format)
      throws IOException {
    Path raw = dir.resolve(name + ".source.raw");
    Files.write(raw, content);
    if (format.equals("raw")) {
      return raw;
    }
    Path image = dir.resolve(name + "." + format);
    run("qemu-img", "convert", "-f", "raw", "-O", format, raw.toString(), image.toString());
    Files.delete(raw);
    return image;
  }

  /**
   * Whether two images have the same content (qemu-img compare: the extra bytes of a bigger one
   * must be zeros; allocation does not matter).
   */
  public static boolean sameContent(Path a, String aFormat, Path b, String bFormat)
      throws IOException {
    Result result =
        exec(
            List.of(
                "qemu-img", "compare", "-f", aFormat, "-F", bFormat, a.toString(), b.toString()));
    if (result.exitCode() > 1) {
      throw new IOException("qemu-img compare failed: " + result.output());
    }
    return result.exitCode() == 0;
  }

  /** Writes {@code pattern} bytes at {@code offset} into an image with qemu-io. */
  public static void writePattern(Path image, String format, int pattern, long offset, int length)
      throws IOException {
    run(
        "qemu-io",
        "-f",
        format,
        "-c",
        "write -P " + pattern + " " + offset + " " + length,
        image.toString());
  }

  /** Whether {@code length} bytes at {@code offset} all hold {@code pattern} (qemu-io read -P). */
  public static boolean hasPattern(Path image, String format, int pattern, long offset, int length)
      throws IOException {
    Result result =
        exec(
            List.of(
                "qemu-io",
                "-f",
                format,
                "-c",
                "read -P " + pattern + " " + offset + " " + length,
                image.toString()));
    return result.exitCode() == 0 && !result.output().contains("Pattern verification failed");
  }

  public static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  public static String sha256(Path file) throws IOException {
    return sha256(Files.readAllBytes(file));
  }

  /** Runs a tool (no shell); fails with its output unless it exits 0. */
  public static String run(String... argv) throws IOException {
    Result result = exec(List.of(argv));
    if (result.exitCode() != 0) {
      throw new IOException(
          String.join(" ", argv) + " exited " + result.exitCode() + ":\n" + result.output());
    }
    return result.output();
  }

  public record Result(int exitCode, String output) {}

  public static Result exec(List<String> argv) throws IOException {
    Process process =
        new ProcessBuilder(new ArrayList<>(argv))
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(argv.get(0) + " did not finish within 120 s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return new Result(process.exitValue(), output);
  }
}
