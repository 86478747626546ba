package io.fastvm.contract;

import java.time.Duration;
import java.util.Optional;

/**
 * The node agent's heartbeat, between the agent and the operator: each agent keeps a Lease ({@code
 * coordination.k8s.io/v1}) named after its node in the installation's namespace and renews it every
 * {@link #RENEW_INTERVAL}; the operator tells a VM whose node agent has gone by a Lease that is
 * missing or older than its {@link #DURATION}. A stopping agent leaves its Lease, so an agent
 * restarted within the duration (a rolling update) shows nowhere.
 */
public final class NodeAgentLease {
  private NodeAgentLease() {}

  public static final String NAME_PREFIX = "fastvm-node-agent-";

  /** Label of the agents' Leases, so the operator watches those alone. */
  public static final String LABEL = "fastvm.io/node-agent-lease";

  public static final Duration RENEW_INTERVAL = Duration.ofSeconds(10);

  /** Four renewals: a busy API server or a slow round does not make an agent look gone. */
  public static final Duration DURATION = Duration.ofSeconds(40);

  /** The Lease of {@code node}'s agent. */
  public static String name(String node) {
    return NAME_PREFIX + node;
  }

  /** The node of an agent's Lease, from its name. */
  public static Optional<String> node(String leaseName) {
    return leaseName != null
            && leaseName.startsWith(NAME_PREFIX)
            && leaseName.length() > NAME_PREFIX.length()
        ? Optional.of(leaseName.substring(NAME_PREFIX.length()))
        : Optional.empty();
  }
}
