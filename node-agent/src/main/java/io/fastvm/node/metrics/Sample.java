package io.fastvm.node.metrics;

import io.micrometer.core.instrument.Tags;

/**
 * One value to export.
 *
 * @param name Micrometer's dotted name, e.g. {@code fastvm.vmi.storage.read.traffic.bytes}
 *     (Prometheus: {@code fastvm_vmi_storage_read_traffic_bytes_total} for a counter)
 * @param counter a count that only grows (else a gauge)
 */
public record Sample(String name, boolean counter, String help, Tags tags, double value) {

  static Sample counter(String name, String help, Tags tags, double value) {
    return new Sample(name, true, help, tags, value);
  }

  static Sample gauge(String name, String help, Tags tags, double value) {
    return new Sample(name, false, help, tags, value);
  }
}
