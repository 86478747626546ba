package io.fastvm.console.metrics;

import io.fastvm.contract.console.ConsoleChannel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics of the proxy: sessions and connections open by protocol, bytes each way by
 * protocol, and link mint and redeem outcomes. Counters are cached per label set so the byte path
 * does no lookups.
 */
public final class ConsoleMetrics {
  private final PrometheusMeterRegistry registry;
  private final Map<ConsoleChannel, AtomicInteger> sessions = new EnumMap<>(ConsoleChannel.class);
  private final Map<ConsoleChannel, AtomicInteger> connections =
      new EnumMap<>(ConsoleChannel.class);
  private final Map<ConsoleChannel, Counter> toClient = new EnumMap<>(ConsoleChannel.class);
  private final Map<ConsoleChannel, Counter> toVm = new EnumMap<>(ConsoleChannel.class);

  public ConsoleMetrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public ConsoleMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    for (ConsoleChannel channel : ConsoleChannel.values()) {
      String protocol = channel.wireName();
      sessions.put(channel, new AtomicInteger());
      connections.put(channel, new AtomicInteger());
      Gauge.builder("fastvm.console.sessions.active", sessions.get(channel), AtomicInteger::get)
          .description("Console sessions open now")
          .tag("protocol", protocol)
          .register(registry);
      Gauge.builder(
              "fastvm.console.connections.active", connections.get(channel), AtomicInteger::get)
          .description("Console WebSockets bridged to a VM now")
          .tag("protocol", protocol)
          .register(registry);
      toClient.put(channel, bytes(protocol, "to_client"));
      toVm.put(channel, bytes(protocol, "to_vm"));
    }
  }

  private Counter bytes(String protocol, String direction) {
    return Counter.builder("fastvm.console.bytes")
        .description("Console bytes relayed")
        .baseUnit("bytes")
        .tag("protocol", protocol)
        .tag("direction", direction)
        .register(registry);
  }

  public void sessionOpened(ConsoleChannel channel) {
    sessions.get(channel).incrementAndGet();
  }

  public void sessionEnded(ConsoleChannel channel) {
    sessions.get(channel).decrementAndGet();
  }

  public void connectionOpened(ConsoleChannel channel) {
    connections.get(channel).incrementAndGet();
  }

  public void connectionClosed(ConsoleChannel channel) {
    connections.get(channel).decrementAndGet();
  }

  public Counter bytesToClient(ConsoleChannel channel) {
    return toClient.get(channel);
  }

  public Counter bytesToVm(ConsoleChannel channel) {
    return toVm.get(channel);
  }

  /** Counts a link mint attempt by outcome (ok, unauthenticated, forbidden, limited, ...). */
  public void mint(String outcome) {
    registry.counter("fastvm.console.link.mints", "outcome", outcome).increment();
  }

  /** Counts a link redemption attempt by outcome (ok, expired, replayed, invalid, ...). */
  public void redeem(String outcome) {
    registry.counter("fastvm.console.link.redeems", "outcome", outcome).increment();
  }

  public String scrape() {
    return registry.scrape();
  }
}
