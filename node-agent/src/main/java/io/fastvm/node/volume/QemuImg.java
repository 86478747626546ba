package io.fastvm.node.volume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fastvm.node.process.Executables;
import io.fastvm.node.process.GuardedProcesses;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code qemu-img} (argv, never a shell) on image files.
 *
 * <p>Rules that keep an image's content from choosing what qemu-img opens:
 *
 * <ul>
 *   <li>every operation passes the format ({@code -f}) explicitly; only {@link #probe} guesses it,
 *       and only for a file the caller made itself (a download), to be re-read with {@code -f};
 *   <li>{@code info} and {@code check} never follow a backing file ({@code --backing-chain} is not
 *       used) and the caller refuses images that name one or an external data file before anything
 *       reads their data;
 *   <li>file names are passed as absolute paths: {@code qemu-img} reads {@code nbd:...} or {@code
 *       json:{...}} in a relative name as a protocol, and {@code -x} as an option;
 *   <li>{@code info} on untrusted input runs under {@code prlimit} (address space and CPU time), as
 *       OpenStack does: a crafted image must not exhaust the node.
 * </ul>
 *
 * <p>No {@code --force-share} ({@code -U}): an image another process (a running VM) has open for
 * writing is refused by qemu-img's lock rather than read while it changes.
 */
public final class QemuImg {

  public static final String QCOW2 = "qcow2";
  public static final String RAW = "raw";

  private static final Set<String> TARGET_FORMATS = Set.of(QCOW2, RAW);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PROGRESS = Pattern.compile("\\((\\d+(?:\\.\\d+)?)/100%\\)");

  /** Limits on {@code qemu-img info} for a crafted header (OpenStack uses the same). */
  private static final long INFO_ADDRESS_SPACE = 1L << 30;

  private static final int INFO_CPU_SECONDS = 30;

  private static final Duration INFO_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration QUICK_TIMEOUT = Duration.ofMinutes(5);
  // check reads all of a qcow2's metadata: minutes for a large image on slow storage.
  private static final Duration CHECK_TIMEOUT = Duration.ofMinutes(30);
  private static final int STDERR_LIMIT = 16 * 1024;

  private static GuardedProcesses processes;

  private final Path executable;
  private final Path prlimit;

  public QemuImg(Path executable) {
    this.executable = executable;
    this.prlimit = Executables.find("prlimit", "FASTVM_PRLIMIT").orElse(null);
  }

  /** qemu-img from PATH or {@code FASTVM_QEMU_IMG}, if installed. */
  public static Optional<QemuImg> find() {
    return Executables.find("qemu-img", "FASTVM_QEMU_IMG").map(QemuImg::new);
  }

  public Path executable() {
    return executable;
  }

  /**
   * Reads an image's header as {@code format}.
   *
   * @throws QemuImgException when qemu-img cannot open it as that format
   */
  public ImageInfo info(Path image, String format) throws IOException, InterruptedException {
    requireFormat(format);
    return parseInfo(image, runInfo(List.of("info", "--output=json", "-f", format, file(image))));
  }

  /**
   * Guesses an image's format from its content. Only for a file the caller made (a download):
   * probing lets the content choose the format. Re-read the result with {@link #info(Path, String)}
   * and the format found, and check it is one the caller accepts.
   */
  public ImageInfo probe(Path image) throws IOException, InterruptedException {
    return parseInfo(image, runInfo(List.of("info", "--output=json", file(image))));
  }

  /** A new image of {@code sizeBytes} (raw: sparse, qcow2: no preallocation). */
  public void create(Path image, String format, long sizeBytes)
      throws IOException, InterruptedException {
    requireTargetFormat(format);
    run(
        "create",
        List.of("create", "-q", "-f", format, file(image), String.valueOf(sizeBytes)),
        QUICK_TIMEOUT,
        null);
  }

  /**
   * A new qcow2 image whose unwritten clusters read from {@code backing} (a copy-on-write clone).
   * The backing file's name is stored as given: an absolute path, or one relative to the overlay's
   * folder.
   */
  public void createOverlay(Path overlay, Path backing, String backingFormat, long sizeBytes)
      throws IOException, InterruptedException {
    requireTargetFormat(backingFormat);
    // A relative name gets "./" so that qemu-img never reads it as a protocol or an option.
    String backingName = backing.isAbsolute() ? backing.toString() : "./" + backing;
    run(
        "create",
        List.of(
            "create",
            "-q",
            "-f",
            QCOW2,
            "-b",
            backingName,
            "-F",
            backingFormat,
            file(overlay),
            String.valueOf(sizeBytes)),
        QUICK_TIMEOUT,
        null);
  }

  /**
   * Writes {@code from}'s content as a new image {@code to}. Sparse-aware: runs of 4 KiB of zeros
   * are not written (raw: holes, qcow2: unallocated clusters). The output is not synced: the caller
   * forces it to disk before it names it final.
   *
   * @param progress receives the fraction done (0 to 1) as qemu-img reports it; null for none
   */
  public void convert(
      Path from, String fromFormat, Path to, String toFormat, DoubleConsumer progress)
      throws IOException, InterruptedException {
    requireFormat(fromFormat);
    requireTargetFormat(toFormat);
    List<String> args = new ArrayList<>(List.of("convert"));
    if (progress != null) {
      args.add("-p");
    }
    // -W: out-of-order writes, faster and safe for a new local file that nothing reads yet.
    args.addAll(List.of("-W", "-S", "4k", "-f", fromFormat, "-O", toFormat, file(from), file(to)));
    // No timeout: a copy of a large image on slow storage takes what it takes; the Job's deadline
    // bounds it, and the child dies with this process.
    run("convert", args, null, progress);
  }

  /** Grows (never shrinks: qemu-img refuses without {@code --shrink}) an image to {@code size}. */
  public void resize(Path image, String format, long newSize)
      throws IOException, InterruptedException {
    requireTargetFormat(format);
    run(
        "resize",
        List.of("resize", "-q", "-f", format, file(image), String.valueOf(newSize)),
        QUICK_TIMEOUT,
        null);
  }

  /**
   * Checks an image's metadata (qcow2, vdi, vhdx); raw images have none, and formats qemu-img
   * cannot check pass. Leaked clusters (space lost, data intact) pass.
   *
   * @throws QemuImgException naming the number of errors when the image is corrupt
   */
  public void check(Path image, String format) throws IOException, InterruptedException {
    requireFormat(format);
    if (format.equals(RAW)) {
      return;
    }
    List<String> argv =
        List.of("check", "--output=json", "-f", format, file(image)); // never with -r: read-only
    Result result = exec("check", argv, CHECK_TIMEOUT, null, false);
    // 0: no errors; 3: leaks only; 63: the format has no check (vpc). 2: corruptions; 1: the
    // check could not complete.
    if (result.exitCode() == 0 || result.exitCode() == 3 || result.exitCode() == 63) {
      return;
    }
    String detail = result.stderr().strip();
    if (result.exitCode() == 2) {
      long errors = -1;
      try {
        errors = JSON.readTree(result.stdout()).path("corruptions").asLong(-1);
      } catch (IOException e) {
        // keep -1: the count is only for the message
      }
      detail =
          "the image is corrupt"
              + (errors > 0 ? " (" + errors + " errors)" : "")
              + (detail.isEmpty() ? "" : ": " + detail);
    }
    throw new QemuImgException("check", image, result.exitCode(), detail);
  }

  private static ImageInfo parseInfo(Path image, String json) throws QemuImgException {
    try {
      JsonNode root = JSON.readTree(json);
      JsonNode format = root.get("format");
      JsonNode virtualSize = root.get("virtual-size");
      if (format == null || !format.isTextual() || virtualSize == null || !virtualSize.isNumber()) {
        throw new IOException("no format or virtual-size");
      }
      JsonNode data = root.path("format-specific").path("data");
      return new ImageInfo(
          format.asText(),
          virtualSize.asLong(),
          root.path("actual-size").asLong(0),
          textOrNull(root.get("backing-filename")),
          textOrNull(data.get("data-file")));
    } catch (IOException e) {
      throw new QemuImgException(
          "info", image, 0, "unexpected output (" + e.getMessage() + "): " + abbreviate(json));
    }
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  private String runInfo(List<String> args) throws IOException, InterruptedException {
    return exec("info", args, INFO_TIMEOUT, null, true).requireSuccess("info", args).stdout();
  }

  private void run(String operation, List<String> args, Duration timeout, DoubleConsumer progress)
      throws IOException, InterruptedException {
    exec(operation, args, timeout, progress, false).requireSuccess(operation, args);
  }

  private Result exec(
      String operation,
      List<String> args,
      Duration timeout,
      DoubleConsumer progress,
      boolean limited)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    if (limited && prlimit != null) {
      argv.addAll(
          List.of(
              prlimit.toString(), "--as=" + INFO_ADDRESS_SPACE, "--cpu=" + INFO_CPU_SECONDS, "--"));
    }
    argv.add(executable.toString());
    argv.addAll(args);
    Process process =
        processes()
            .start(
                argv,
                pb -> {
                  // C messages: callers look for strerror texts ("No space left on device").
                  pb.environment().put("LC_ALL", "C");
                  // Fewer malloc arenas keep qemu-img's threads within the address-space limit.
                  pb.environment().put("MALLOC_ARENA_MAX", "2");
                  return pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                });
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Thread stderrReader =
        Thread.ofVirtual().start(() -> drain(process.getErrorStream(), stderr, STDERR_LIMIT));
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    Thread stdoutReader =
        Thread.ofVirtual()
            .start(
                () -> {
                  if (progress == null) {
                    drain(process.getInputStream(), stdout, 4 * 1024 * 1024);
                  } else {
                    readProgress(process.getInputStream(), progress);
                  }
                });
    try {
      if (timeout == null) {
        process.waitFor();
      } else if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor();
        throw new QemuImgException(
            operation, null, -1, "qemu-img " + operation + " did not finish within " + timeout);
      }
      stderrReader.join();
      stdoutReader.join();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
    return new Result(
        process.exitValue(),
        stdout.toString(StandardCharsets.UTF_8),
        stderr.toString(StandardCharsets.UTF_8));
  }

  /** qemu-img {@code -p} prints {@code " (12.34/100%)\r"} over and over. */
  private static void readProgress(InputStream in, DoubleConsumer progress) {
    StringBuilder line = new StringBuilder();
    try {
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\r' || c == '\n') {
          Matcher m = PROGRESS.matcher(line);
          if (m.find()) {
            progress.accept(Math.min(1.0, Double.parseDouble(m.group(1)) / 100));
          }
          line.setLength(0);
        } else if (line.length() < 256) {
          line.append((char) c);
        }
      }
    } catch (IOException e) {
      // qemu-img is gone; its exit code tells
    }
  }

  private static void drain(InputStream in, ByteArrayOutputStream out, int limit) {
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        int keep = Math.min(n, limit - out.size());
        if (keep > 0) {
          out.write(buffer, 0, keep);
        }
      }
    } catch (IOException e) {
      // qemu-img is gone; its exit code tells
    }
  }

  private record Result(int exitCode, String stdout, String stderr) {
    Result requireSuccess(String operation, List<String> args) throws QemuImgException {
      if (exitCode != 0) {
        throw new QemuImgException(
            operation, imageOf(args), exitCode, stderr.isBlank() ? stdout.strip() : stderr.strip());
      }
      return this;
    }

    /** The image an operation is about: its first absolute path argument. */
    private static Path imageOf(List<String> args) {
      return args.stream().filter(a -> a.startsWith("/")).findFirst().map(Path::of).orElse(null);
    }
  }

  private static String file(Path path) {
    return path.toAbsolutePath().normalize().toString();
  }

  private static void requireFormat(String format) {
    if (format == null || format.isEmpty() || format.startsWith("-")) {
      throw new IllegalArgumentException("not an image format: " + format);
    }
  }

  private static void requireTargetFormat(String format) {
    if (!TARGET_FORMATS.contains(format)) {
      throw new IllegalArgumentException("image format must be qcow2 or raw, not " + format);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 500 ? text : text.substring(0, 500) + "...";
  }

  /** One set of guarded children for the JVM: qemu-img dies with it, however it ends. */
  private static synchronized GuardedProcesses processes() {
    if (processes == null) {
      processes = new GuardedProcesses();
    }
    return processes;
  }

  /**
   * What {@code qemu-img info} says about an image.
   *
   * @param actualSize bytes the file takes on disk
   * @param backingFilename the backing file its header names, or null
   * @param dataFile the external data file a qcow2 header names, or null
   */
  public record ImageInfo(
      String format, long virtualSize, long actualSize, String backingFilename, String dataFile) {

    /** What else than itself opening this image would read, if anything ("backing file X"). */
    public Optional<String> externalFile() {
      if (backingFilename != null) {
        return Optional.of("backing file " + backingFilename);
      }
      if (dataFile != null) {
        return Optional.of("external data file " + dataFile);
      }
      return Optional.empty();
    }
  }

  /** qemu-img failed; the message has its stderr. */
  public static final class QemuImgException extends IOException {
    private final String operation;
    private final int exitCode;
    private final String detail;

    QemuImgException(String operation, Path image, int exitCode, String detail) {
      super(
          "qemu-img "
              + operation
              + (image == null ? "" : " " + image)
              + " failed"
              + (exitCode > 0 ? " (exit " + exitCode + ")" : "")
              + (detail == null || detail.isEmpty() ? "" : ": " + detail));
      this.operation = operation;
      this.exitCode = exitCode;
      this.detail = detail == null ? "" : detail;
    }

    public String operation() {
      return operation;
    }

    /** qemu-img's exit code; -1 when it was stopped (timeout), 0 when its output was unusable. */
    public int exitCode() {
      return exitCode;
    }

    /** What qemu-img said (stderr), or what was wrong with its output. */
    public String detail() {
      return detail;
    }

    /** The file system is full (qemu-img runs with C messages, so strerror's text is stable). */
    public boolean noSpace() {
      return detail.contains("No space left on device") || detail.contains("Disk quota exceeded");
    }

    /** Another process (a running VM) holds the image's lock. */
    public boolean locked() {
      return detail.contains("Failed to get") && detail.contains("lock");
    }
  }
}
