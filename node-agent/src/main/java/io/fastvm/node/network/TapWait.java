package io.fastvm.node.network;

import io.fastvm.contract.PodTaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Waits for the taps of a VM's bridge NICs. In a pod the node agent makes them from outside once
 * Multus has added the pod's interfaces, which may be after the launcher started; {@code fastvm
 * run} makes none, so there the wait is zero and the error says how to make one by hand.
 */
public final class TapWait {
  private static final Duration POLL = Duration.ofMillis(200);

  private final Path sysClassNet;
  private final Duration wait;

  /**
   * @param sysClassNet {@code /sys/class/net} of the launcher's network namespace
   * @param wait how long to wait; zero checks once
   */
  public TapWait(Path sysClassNet, Duration wait) {
    this.sysClassNet = sysClassNet;
    this.wait = wait;
  }

  /**
   * Returns when every tap NIC's device exists, or early when {@code stopped} says so.
   *
   * @throws IOException naming the first missing tap and what makes it
   */
  public void await(List<NicAttachment> nics, BooleanSupplier stopped)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    for (int index = 0; index < nics.size(); index++) {
      NicAttachment nic = nics.get(index);
      if (!(nic.backend() instanceof NicBackend.Tap tap)) {
        continue;
      }
      // Polled: a tap made in another process's view of this namespace sends us no signal.
      while (!Files.exists(sysClassNet.resolve(tap.device()))) {
        if (stopped.getAsBoolean()) {
          return;
        }
        if (System.nanoTime() - deadline >= 0) {
          throw new IOException(missing(nic, tap.device(), index));
        }
        Thread.sleep(POLL.toMillis());
      }
    }
  }

  private String missing(NicAttachment nic, String tap, int index) {
    if (wait.isZero()) {
      return "network "
          + nic.name()
          + ": a bridge network needs the tap "
          + tap
          + ", which fastvm run does not make; as root: ip tuntap add "
          + tap
          + " mode tap user "
          + ProcessHandle.current().info().user().orElse("$USER")
          + " && ip link set "
          + tap
          + " master BRIDGE up";
    }
    return "network "
        + nic.name()
        + ": the tap "
        + tap
        + " is not there after "
        + wait.toSeconds()
        + " s; the fastvm node agent makes it and bridges it to the pod's interface "
        + PodTaps.podInterface(index)
        + " from the network attachment (is the agent running on this node, and Multus?)";
  }
}
