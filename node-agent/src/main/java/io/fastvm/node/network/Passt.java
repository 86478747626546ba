package io.fastvm.node.network;

import io.fastvm.node.process.GuardedProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The passt of one nat NIC: an unprivileged process in the pod's network namespace that carries the
 * guest's traffic over the pod's own sockets (so it leaves with the pod's address), gives the guest
 * the pod's address, gateway and DNS by DHCP. QEMU connects to its unix socket ({@code -netdev
 * stream}); passt ends when QEMU does ({@code --one-off}), and the launcher stops it in any case.
 */
public final class Passt {
  private Passt() {}

  /**
   * passt's arguments for {@code nic}. {@code --runas}: the launcher's own user; started by root,
   * passt would otherwise become {@code nobody}, which cannot serve a socket in a runtime folder
   * only root may write.
   *
   * @param user the launcher's {@code uid:gid}
   */
  static List<String> argv(Path binary, NicAttachment nic, Path log, String user) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--foreground",
                "--one-off",
                "--runas",
                user,
                "--socket",
                socket(nic).toString(),
                "--log-file",
                log.toString()));
    return argv;
  }

  private static Path socket(NicAttachment nic) {
    if (nic.backend() instanceof NicBackend.Passt passt) {
      return passt.socket();
    }
    throw new IllegalArgumentException("network " + nic.name() + " is not on passt");
  }

  /** Starts the passt of {@code nic} and waits until its socket is there for QEMU. */
  public static Process start(
      GuardedProcesses processes, Path binary, NicAttachment nic, Path log, Duration timeout)
      throws IOException, InterruptedException {
    Files.deleteIfExists(socket(nic));
    Process process =
        processes.start(
            argv(binary, nic, log, ownUser()),
            pb ->
                pb.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(socket(nic))) {
      if (!process.isAlive()) {
        throw new IOException(
            "passt of network "
                + nic.name()
                + " exited with status "
                + process.exitValue()
                + ": "
                + tail(log));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IOException(
            "passt of network " + nic.name() + " did not serve QEMU within " + timeout);
      }
      // Polled: passt offers no readiness signal but its socket.
      Thread.sleep(5);
    }
    return process;
  }

  /** {@code uid:gid} of this process (the real ids of {@code /proc/self/status}). */
  static String ownUser() throws IOException {
    String uid = null;
    String gid = null;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        uid = line.substring(4).trim().split("\\s+")[0];
      } else if (line.startsWith("Gid:")) {
        gid = line.substring(4).trim().split("\\s+")[0];
      }
    }
    if (uid == null || gid == null) {
      throw new IOException("no Uid or Gid in /proc/self/status");
    }
    return uid + ":" + gid;
  }

  private static String tail(Path log) {
    try {
      List<String> lines =
          Files.readAllLines(log).stream().filter(l -> !l.startsWith("Failed to send")).toList();
      String text = String.join("\n", lines).strip();
      return text.length() > 500 ? text.substring(text.length() - 500) : text;
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
