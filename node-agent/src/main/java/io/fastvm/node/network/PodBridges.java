package io.fastvm.node.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Plumbs a VM pod's bridge NICs from outside the pod (the agent is privileged, VM pods have no
 * NET_ADMIN): reads the links of the pod's network namespace, plans with {@link PodBridgePlanner}
 * and runs the plan's {@code ip} commands in that namespace through {@code nsenter}. Arguments are
 * passed as an argv, never through a shell; every name in them is the agent's own ({@code
 * PodTaps}).
 */
public final class PodBridges {
  private static final long TIMEOUT_SECONDS = 10;

  private final String nsenter;
  private final String ip;

  public PodBridges(String nsenter, String ip) {
    this.nsenter = nsenter;
    this.ip = ip;
  }

  /** With {@code nsenter} and {@code ip} from the PATH. */
  public PodBridges() {
    this("nsenter", "ip");
  }

  /**
   * Plumbs what it can now.
   *
   * @param netns the pod's network namespace ({@code /proc/PID/ns/net} of a process in the pod)
   * @return the plan it carried out (its {@code waiting} NICs are left for a later call)
   * @throws IOException when a command fails, with its output
   */
  public PodBridgePlanner.Plan plumb(Path netns, List<Integer> nics, long gid)
      throws IOException, InterruptedException {
    String links = run(netns, List.of("-json", "-details", "link", "show"));
    PodBridgePlanner.Plan plan = PodBridgePlanner.plan(PodLink.parse(links), nics, gid);
    for (List<String> command : plan.ipCommands()) {
      run(netns, command);
    }
    return plan;
  }

  private String run(Path netns, List<String> args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(nsenter, "--net=" + netns, "--", ip));
    argv.addAll(args);
    // Output to a file: a pipe could fill up and hang ip past the timeout.
    Path output = Files.createTempFile("fastvm-ip", ".out");
    String text;
    try {
      Process process =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      try {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw new IOException("ip " + String.join(" ", args) + " did not finish in " + netns);
        }
      } finally {
        process.destroyForcibly();
      }
      text = Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IOException(
            "ip " + String.join(" ", args) + " in " + netns + " failed: " + text.strip());
      }
    } finally {
      Files.deleteIfExists(output);
    }
    return text;
  }
}
