package io.fastvm.node.tpm;

import io.fastvm.node.process.GuardedProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The VM's TPM 2.0: an swtpm process whose state lives in the VM's state directory (so sealed
 * secrets such as BitLocker's survive restarts). It serves QEMU on a control socket and exits by
 * itself when QEMU goes away ({@code --terminate}).
 */
public final class Swtpm implements AutoCloseable {

  /** Folder of the TPM state inside the VM's state directory. */
  public static final String STATE_SUBDIR = "tpm";

  private final Process process;

  private Swtpm(Process process) {
    this.process = process;
  }

  /** swtpm parses its options on commas without escaping, so such paths are refused. */
  public static void checkPath(String what, Path path, List<String> problems) {
    if (path.toString().contains(",")) {
      problems.add(what + " " + path + ": swtpm cannot use a path with a comma");
    }
  }

  /** Starts swtpm and waits until its control socket accepts QEMU. */
  public static Swtpm start(
      GuardedProcesses processes,
      Path binary,
      Path stateDir,
      Path socket,
      Path log,
      Duration timeout)
      throws IOException, InterruptedException {
    Files.createDirectories(stateDir);
    try {
      Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException | IOException e) {
      // best effort on odd filesystems
    }
    Files.deleteIfExists(socket);
    List<String> argv = new ArrayList<>();
    argv.addAll(
        List.of(
            binary.toString(),
            "socket",
            "--tpm2",
            "--tpmstate",
            "dir=" + stateDir + ",mode=0600",
            "--ctrl",
            "type=unixio,path=" + socket + ",mode=0600",
            "--log",
            "file=" + log + ",level=1",
            "--terminate"));
    Process process =
        processes.start(
            argv,
            pb ->
                pb.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(socket)) {
      if (!process.isAlive()) {
        throw new IOException("swtpm exited with status " + process.exitValue() + ": " + tail(log));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IOException("swtpm did not create " + socket + " within " + timeout);
      }
      Thread.sleep(5);
    }
    return new Swtpm(process);
  }

  private static String tail(Path log) {
    try {
      String text = Files.readString(log).strip();
      return text.length() > 500 ? text.substring(text.length() - 500) : text;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Stops swtpm: it normally exits with QEMU; this makes sure. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive() && !process.waitFor(2, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
