package io.fastvm.node.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Exports {@link Sample}s read elsewhere through Micrometer: each owner (a VM pod, the node)
 * publishes all its samples at once; meters appear with their first sample and go when their owner
 * no longer publishes them, so a VM that left the node leaves no stale series.
 */
public final class SampleMeters {
  private final MeterRegistry registry;
  private final Map<Meter.Id, AtomicReference<Double>> values = new ConcurrentHashMap<>();
  private final Map<String, Set<Meter.Id>> owned = new HashMap<>();

  public SampleMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Replaces {@code owner}'s samples. */
  public synchronized void publish(String owner, java.util.List<Sample> samples) {
    Map<Meter.Id, Double> next = new HashMap<>();
    for (Sample sample : samples) {
      Meter.Id id = idOf(sample);
      AtomicReference<Double> value = values.get(id);
      if (value == null) {
        value = new AtomicReference<>(sample.value());
        id = register(sample, value);
        values.put(id, value);
      }
      value.set(sample.value());
      next.put(id, sample.value());
    }
    Set<Meter.Id> before = owned.getOrDefault(owner, Set.of());
    before.stream().filter(id -> !next.containsKey(id)).forEach(this::drop);
    owned.put(owner, Set.copyOf(next.keySet()));
  }

  /** Drops all of {@code owner}'s meters. */
  public synchronized void remove(String owner) {
    Set<Meter.Id> ids = owned.remove(owner);
    if (ids != null) {
      ids.forEach(this::drop);
    }
  }

  private void drop(Meter.Id id) {
    values.remove(id);
    registry.remove(id);
  }

  private static Meter.Id idOf(Sample sample) {
    return new Meter.Id(
        sample.name(),
        sample.tags(),
        null,
        sample.help(),
        sample.counter() ? Meter.Type.COUNTER : Meter.Type.GAUGE);
  }

  private Meter.Id register(Sample sample, AtomicReference<Double> value) {
    // The registry holds its functions' objects weakly; `values` keeps them.
    Meter meter =
        sample.counter()
            ? FunctionCounter.builder(sample.name(), value, AtomicReference::get)
                .description(sample.help())
                .tags(sample.tags())
                .register(registry)
            : Gauge.builder(sample.name(), value, AtomicReference::get)
                .description(sample.help())
                .tags(sample.tags())
                .register(registry);
    return meter.getId();
  }
}
