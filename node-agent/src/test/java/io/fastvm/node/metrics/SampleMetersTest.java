package io.fastvm.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Samples become series, take new values, and go when their owner stops publishing them. */
class SampleMetersTest {

  @Test
  void seriesFollowWhatEachOwnerPublishes() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SampleMeters meters = new SampleMeters(registry);
    Tags a = Tags.of("name", "a");
    Tags b = Tags.of("name", "b");
    meters.publish("pod-a", List.of(Sample.counter("fastvm.vmi.x.bytes", "x", a, 5)));
    meters.publish("pod-b", List.of(Sample.gauge("fastvm.vmi.y.bytes", "y", b, 7)));
    assertThat(registry.scrape())
        .contains("fastvm_vmi_x_bytes_total{name=\"a\"} 5.0")
        .contains("fastvm_vmi_y_bytes{name=\"b\"} 7.0");

    meters.publish("pod-a", List.of(Sample.counter("fastvm.vmi.x.bytes", "x", a, 9)));
    assertThat(registry.scrape()).contains("fastvm_vmi_x_bytes_total{name=\"a\"} 9.0");

    meters.publish("pod-b", List.of());
    meters.remove("pod-a");
    assertThat(registry.scrape()).doesNotContain("fastvm_vmi_x").doesNotContain("fastvm_vmi_y");
  }
}
