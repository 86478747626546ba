package io.fastvm.node.agent;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fastvm.contract.NodeAgentLease;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps this node's {@link NodeAgentLease} fresh, so the operator can tell the VMs whose node agent
 * is gone. Closing stops renewing and leaves the Lease to expire: an agent restarted in time (a
 * rolling update) changes nothing the operator reports.
 */
public final class AgentHeartbeat implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AgentHeartbeat.class.getName());

  private final KubernetesClient client;
  private final String namespace;
  private final String node;
  private final String holder;
  private final Duration validFor;
  private final Clock clock;
  private final AtomicLong renewals = new AtomicLong();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("fastvm-agent-heartbeat").daemon().factory());

  private AgentHeartbeat(
      KubernetesClient client,
      String namespace,
      String node,
      String holder,
      Duration validFor,
      Clock clock) {
    this.client = client;
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.node = Objects.requireNonNull(node, "node");
    this.holder = Objects.requireNonNull(holder, "holder");
    this.validFor = validFor;
    this.clock = clock;
  }

  /**
   * Renews the Lease now and then every {@code interval}.
   *
   * @param holder who renews it (the agent's pod), so a replaced agent shows as a new holder
   * @param validFor how long each renewal counts ({@link NodeAgentLease#DURATION}; the operator
   *     reads it from the Lease)
   */
  public static AgentHeartbeat start(
      KubernetesClient client,
      String namespace,
      String node,
      String holder,
      Duration interval,
      Duration validFor) {
    AgentHeartbeat heartbeat =
        new AgentHeartbeat(client, namespace, node, holder, validFor, Clock.systemUTC());
    heartbeat.timer.scheduleWithFixedDelay(
        heartbeat::renewQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return heartbeat;
  }

  /** Successful renewals so far (for tests that wait for one). */
  public long renewals() {
    return renewals.get();
  }

  private void renewQuietly() {
    try {
      renew();
      renewals.incrementAndGet();
    } catch (KubernetesClientException e) {
      // The next round tries again; a conflict means someone else wrote it in between.
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot renew Lease "
              + namespace
              + "/"
              + NodeAgentLease.name(node)
              + ": "
              + e.getMessage());
    }
  }

  private void renew() {
    String name = NodeAgentLease.name(node);
    ZonedDateTime now = ZonedDateTime.now(clock).withZoneSameInstant(ZoneOffset.UTC);
    now = now.truncatedTo(ChronoUnit.MICROS);
    var leases = client.leases().inNamespace(namespace);
    Lease current = leases.withName(name).get();
    if (current == null) {
      leases.resource(fresh(name, now)).create();
      LOG.log(System.Logger.Level.INFO, "created Lease " + namespace + "/" + name);
      return;
    }
    var spec = current.getSpec();
    boolean newHolder = !holder.equals(spec == null ? null : spec.getHolderIdentity());
    Lease renewed =
        new LeaseBuilder(current)
            .editOrNewMetadata()
            .addToLabels(NodeAgentLease.LABEL, "true")
            .endMetadata()
            .editOrNewSpec()
            .withHolderIdentity(holder)
            .withLeaseDurationSeconds((int) validFor.toSeconds())
            .withRenewTime(now)
            .endSpec()
            .build();
    if (newHolder) {
      int transitions =
          spec == null || spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
      renewed.getSpec().setAcquireTime(now);
      renewed.getSpec().setLeaseTransitions(transitions + 1);
      LOG.log(
          System.Logger.Level.INFO, "Lease " + namespace + "/" + name + " now held by " + holder);
    }
    // Optimistic: the resourceVersion read above guards against a concurrent writer.
    leases.resource(renewed).update();
  }

  private Lease fresh(String name, ZonedDateTime now) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels(NodeAgentLease.LABEL, "true")
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(holder)
        .withLeaseDurationSeconds((int) validFor.toSeconds())
        .withAcquireTime(now)
        .withRenewTime(now)
        .withLeaseTransitions(0)
        .endSpec()
        .build();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
