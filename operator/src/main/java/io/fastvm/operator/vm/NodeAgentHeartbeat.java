package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fastvm.contract.NodeAgentLease;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A node agent's last heartbeat, read from its Lease ({@link NodeAgentLease}).
 *
 * @param holder the agent (its pod) that renewed it
 * @param renewedAt when it was last renewed
 * @param validFor how long a renewal counts
 */
public record NodeAgentHeartbeat(String holder, Instant renewedAt, Duration validFor) {

  public Instant expiresAt() {
    return renewedAt.plus(validFor);
  }

  public boolean freshAt(Instant now) {
    return now.isBefore(expiresAt());
  }

  /** The heartbeat a Lease holds; empty for one never renewed. */
  public static Optional<NodeAgentHeartbeat> of(Lease lease) {
    var spec = lease == null ? null : lease.getSpec();
    if (spec == null || spec.getRenewTime() == null) {
      return Optional.empty();
    }
    int seconds =
        spec.getLeaseDurationSeconds() == null
            ? (int) NodeAgentLease.DURATION.toSeconds()
            : spec.getLeaseDurationSeconds();
    return Optional.of(
        new NodeAgentHeartbeat(
            spec.getHolderIdentity(),
            spec.getRenewTime().toInstant(),
            Duration.ofSeconds(seconds)));
  }
}
