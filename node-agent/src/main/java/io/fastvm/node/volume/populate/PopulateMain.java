package io.fastvm.node.volume.populate;

import io.fastvm.contract.volume.PopulateExitCode;
import io.fastvm.contract.volume.PopulateInvocation;
import io.fastvm.contract.volume.PopulateResult;
import io.fastvm.node.volume.QemuImg;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code fastvm-populate}: the only process of a Volume's populate Job. Prints progress lines and,
 * on success, the {@link PopulateResult} JSON on stdout; writes the JSON (or the failure reason) to
 * the termination log; exits with a {@link PopulateExitCode}.
 */
public final class PopulateMain {
  private PopulateMain() {}

  /** Kubernetes keeps at most 4096 bytes of a termination message. */
  static final int MESSAGE_LIMIT = 4000;

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.out, System.err, HttpImport.Settings.defaults()));
  }

  /** Runs one invocation; returns the exit code. */
  public static int run(
      List<String> args, PrintStream out, PrintStream err, HttpImport.Settings settings) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(PopulateInvocation.usage());
      return PopulateExitCode.DONE;
    }
    PopulateInvocation invocation;
    try {
      invocation = PopulateInvocation.parse(args);
    } catch (IllegalArgumentException e) {
      return fail(err, terminationLogIn(args), PopulateExitCode.PERMANENT, e.getMessage());
    }
    Optional<QemuImg> qemuImg = QemuImg.find();
    if (qemuImg.isEmpty()) {
      return fail(
          err,
          invocation.terminationLog(),
          PopulateExitCode.PERMANENT,
          "qemu-img not found on PATH (install qemu-utils, or set FASTVM_QEMU_IMG)");
    }
    ProgressReporter progress = new ProgressReporter(out, Duration.ofSeconds(1));
    Consumer<String> log = line -> err.println("fastvm-populate: " + line);
    Populator populator =
        new Populator(qemuImg.get(), new HttpImport(settings, progress, log), progress, log);
    PopulateResult result;
    try {
      result = populator.populate(invocation);
    } catch (PopulateException e) {
      return fail(err, invocation.terminationLog(), e.exitCode(), e.getMessage());
    } catch (InterruptedException e) {
      return fail(err, invocation.terminationLog(), PopulateExitCode.TRANSIENT, "interrupted");
    } catch (RuntimeException e) {
      return fail(
          err, invocation.terminationLog(), PopulateExitCode.PERMANENT, "internal error: " + e);
    }
    String json = result.toJson();
    out.println(json);
    out.flush();
    writeTerminationLog(err, invocation.terminationLog(), json);
    return PopulateExitCode.DONE;
  }

  private static int fail(PrintStream err, Path terminationLog, int exitCode, String message) {
    String reason = limit(message);
    err.println("fastvm-populate: " + reason);
    err.flush();
    writeTerminationLog(err, terminationLog, reason);
    return exitCode;
  }

  /**
   * The termination log named among arguments that did not parse, so the reason still gets there.
   */
  private static Path terminationLogIn(List<String> args) {
    String option = "--termination-log";
    for (int i = 0; i < args.size(); i++) {
      String value = null;
      if (args.get(i).startsWith(option + "=")) {
        value = args.get(i).substring(option.length() + 1);
      } else if (args.get(i).equals(option) && i + 1 < args.size()) {
        value = args.get(i + 1);
      }
      if (value != null && !value.isEmpty()) {
        try {
          return Path.of(value);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static void writeTerminationLog(PrintStream err, Path file, String text) {
    if (file == null) {
      return;
    }
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("fastvm-populate: cannot write the termination log " + file + ": " + e);
    }
  }

  /** At most {@link #MESSAGE_LIMIT} bytes of UTF-8, cut at a character. */
  static String limit(String message) {
    if (message == null) {
      return "unknown error";
    }
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MESSAGE_LIMIT) {
      return message;
    }
    String marker = " ...";
    int end = Math.min(message.length(), MESSAGE_LIMIT - marker.length());
    while (message.substring(0, end).getBytes(StandardCharsets.UTF_8).length
        > MESSAGE_LIMIT - marker.length()) {
      end--;
    }
    if (end > 0 && Character.isHighSurrogate(message.charAt(end - 1))) {
      end--;
    }
    return message.substring(0, end) + marker;
  }
}
