package io.fastvm.node.guestagent;

import io.fastvm.api.v1alpha1.GuestInterfaceStatus;
import io.fastvm.api.v1alpha1.GuestStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The VM status the node agent writes ({@code status.guest}) from what the guest agent said. Pure.
 * An agent that stops answering for a moment (a guest busy under TCG) must not make the status
 * flap: it counts as gone only after {@link #MISSES_BEFORE_GONE} unanswered rounds in a row, and
 * then the last known facts stay, marked as not connected.
 */
public final class GuestStatuses {
  private GuestStatuses() {}

  public static final int MISSES_BEFORE_GONE = 3;

  /** What the facts read from the guest of {@code podName} say. */
  public static GuestStatus of(String podName, GuestFacts facts) {
    List<GuestInterfaceStatus> interfaces = new ArrayList<>();
    for (GuestFacts.Interface nic : facts.interfaces()) {
      List<String> addresses = new ArrayList<>(nic.ipv4());
      addresses.addAll(nic.ipv6());
      interfaces.add(new GuestInterfaceStatus(nic.name(), nic.mac(), addresses));
    }
    GuestFacts.Os os = facts.os();
    return new GuestStatus(
        podName,
        true,
        null,
        facts.hostname(),
        os == null ? null : os.name(),
        os == null ? null : os.version(),
        os == null ? null : os.kernel(),
        interfaces);
  }

  /**
   * The status after the agent did not answer {@code misses} rounds in a row: the previous one
   * while that is below {@link #MISSES_BEFORE_GONE}; then the previous facts, not connected, with
   * why.
   */
  public static GuestStatus missed(String podName, GuestStatus previous, int misses, String why) {
    boolean samePod = previous != null && podName.equals(previous.podName());
    if (samePod && misses < MISSES_BEFORE_GONE) {
      return previous;
    }
    if (!samePod) {
      return new GuestStatus(podName, false, why, null, null, null, null, null);
    }
    return new GuestStatus(
        podName,
        false,
        why,
        previous.hostname(),
        previous.osName(),
        previous.osVersion(),
        previous.kernelRelease(),
        previous.interfaces());
  }
}
