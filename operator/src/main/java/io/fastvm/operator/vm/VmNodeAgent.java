package io.fastvm.operator.vm;

import io.fastvm.operator.status.Conditions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * What the operator makes of the heartbeat of the node agent on the node of a VM's pod: the
 * NodeAgentReady condition, and when a fresh heartbeat would go stale unless renewed. The messages
 * name only what changes with the agent's state (not each renewal), so the status stays still while
 * the agent does.
 *
 * @param node the node of the VM's current pod
 * @param heartbeat the agent's last heartbeat there, if it ever reported
 * @param now the time of the observation
 */
record VmNodeAgent(String node, Optional<NodeAgentHeartbeat> heartbeat, Instant now) {

  /** The agent of the node of the VM's current pod, once the pod has a node. */
  static Optional<VmNodeAgent> of(
      Optional<String> node, Map<String, NodeAgentHeartbeat> agents, Instant now) {
    return node.map(n -> new VmNodeAgent(n, Optional.ofNullable(agents.get(n)), now));
  }

  boolean reporting() {
    return heartbeat.map(h -> h.freshAt(now)).orElse(false);
  }

  Conditions.Wanted condition() {
    if (reporting()) {
      return new Conditions.Wanted(
          VmConditions.NODE_AGENT_READY,
          true,
          "NodeAgentReporting",
          "the node agent on node " + node + " reports");
    }
    return heartbeat
        .map(
            h ->
                new Conditions.Wanted(
                    VmConditions.NODE_AGENT_READY,
                    false,
                    "NodeAgentGone",
                    "the node agent on node "
                        + node
                        + " last reported at "
                        + h.renewedAt().truncatedTo(ChronoUnit.SECONDS)
                        + "; until it is back, nothing updates this VM's guest facts and"
                        + " metrics, or the health of the node's devices"))
        .orElseGet(
            () ->
                new Conditions.Wanted(
                    VmConditions.NODE_AGENT_READY,
                    false,
                    "NodeAgentMissing",
                    "no fastvm node agent reports on node "
                        + node
                        + " (DaemonSet fastvm-node-agent); nothing updates this VM's guest facts"
                        + " and metrics"));
  }

  /** AgentConnected while the node agent does not report: it cannot know. */
  Conditions.Wanted guestAgentUnknown() {
    return new Conditions.Wanted(
        VmConditions.AGENT_CONNECTED,
        false,
        "NodeAgentNotReporting",
        "the node agent on node "
            + node
            + " does not report, so the guest agent's state is not known");
  }

  /** When a fresh heartbeat goes stale unless renewed (and a renewal is not an event). */
  Optional<Instant> staleAt() {
    return reporting() ? heartbeat.map(NodeAgentHeartbeat::expiresAt) : Optional.empty();
  }
}
