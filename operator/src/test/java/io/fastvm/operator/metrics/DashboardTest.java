package io.fastvm.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fastvm.node.guestagent.GuestFacts;
import io.fastvm.node.metrics.DriveCounters;
import io.fastvm.node.metrics.NodeSamples;
import io.fastvm.node.metrics.ProcFs;
import io.fastvm.node.metrics.ProcessStats;
import io.fastvm.node.metrics.SampleMeters;
import io.fastvm.node.metrics.VmReading;
import io.fastvm.node.metrics.VmSamples;
import io.fastvm.node.testing.Promtool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's Grafana dashboard parses, and every metric its queries name is one that the node
 * agent or the operator exports (each renders its metrics here into a Prometheus registry, and
 * {@code promtool check metrics} passes on the text).
 */
class DashboardTest {
  static final Path DASHBOARD = Path.of("../helm/fastvm/dashboards/fastvm-vms.json");
  static final Pattern METRIC = Pattern.compile("\\bfastvm_[a-z0-9_]+");

  @TempDir Path tmp;

  @Test
  void everyQueryNamesAnExportedMetric() throws Exception {
    Promtool.assumeAvailable();
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> queries = new ArrayList<>();
    dashboard.findValues("expr").forEach(e -> queries.add(e.asText()));
    dashboard
        .path("templating")
        .path("list")
        .forEach(v -> queries.add(v.path("query").path("query").asText()));
    assertThat(queries).hasSizeGreaterThan(10);

    Set<String> named = new TreeSet<>();
    for (String query : queries) {
      Matcher m = METRIC.matcher(query);
      while (m.find()) {
        named.add(m.group());
      }
    }
    String exported = agentMetrics() + operatorMetrics();
    Set<String> series = new TreeSet<>();
    exported
        .lines()
        .filter(l -> l.startsWith("fastvm_"))
        .forEach(l -> series.add(l.split("[{ ]")[0]));
    assertThat(series).as("exported metrics").containsAll(named);
    assertThat(named).as("the dashboard's metrics").contains("fastvm_vmi_cpu_usage_seconds_total");
  }

  private String agentMetrics() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SampleMeters meters = new SampleMeters(registry);
    VmReading reading =
        new VmReading(
            new ProcessStats(1, 2, 3),
            List.of(new VmReading.Vcpu(0, 4)),
            5,
            List.of(new DriveCounters("root", 1, 2, 3, 4, 5, 6, 7, 8)),
            List.of(new GuestFacts.Traffic("eth0", 1, 2, 3, 4, 5, 6, 7, 8)));
    meters.publish("vm", VmSamples.of("ns", "vm", "node-1", reading));
    meters.publish("node", NodeSamples.read(ProcFs.host(), tmp, "node-1"));
    String text = registry.scrape();
    Promtool.assertChecks(text);
    return text;
  }

  private static String operatorMetrics() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new VmMetrics(registry);
    String text = registry.scrape();
    Promtool.assertChecks(text);
    return text;
  }
}
