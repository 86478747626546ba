package io.fastvm.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.RuntimeDir;
import io.fastvm.node.guestagent.GuestFacts;
import io.fastvm.node.testing.Promtool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's metrics of a real QEMU (TCG, paused: no guest is needed to read its process, vCPU
 * threads, RAM and disks), served at /metrics on loopback and checked by {@code promtool check
 * metrics}. Counters moving with a guest's I/O: GuestFactsRealServerTest in the operator module.
 */
class VmMetricsQemuTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path runtime;

  @BeforeAll
  static void promtool() {
    Promtool.assumeAvailable();
  }

  @Test
  void aRunningQemuIsReadAndExportedInPrometheusFormat() throws Exception {
    Path disk = runtime.resolve("root.qcow2");
    assertThat(
            new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M")
                .inheritIO()
                .start()
                .waitFor())
        .isZero();
    Process qemu =
        new ProcessBuilder(
                "qemu-system-x86_64",
                "-machine",
                "q35,accel=tcg",
                "-S",
                "-nodefaults",
                "-display",
                "none",
                "-smp",
                "2",
                "-m",
                "256",
                "-blockdev",
                "{\"node-name\":\"drive0\",\"driver\":\"qcow2\",\"file\":{\"driver\":\"file\","
                    + "\"filename\":\""
                    + disk
                    + "\"}}",
                "-device",
                "{\"driver\":\"virtio-blk-pci\",\"drive\":\"drive0\",\"id\":\"disk-root\"}",
                "-qmp",
                "unix:" + runtime.resolve(RuntimeDir.QMP_SOCKET) + ",server=on,wait=off",
                "-pidfile",
                runtime.resolve(RuntimeDir.QEMU_PID_FILE).toString())
            .redirectErrorStream(true)
            .redirectOutput(runtime.resolve("qemu.log").toFile())
            .start();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (MetricsEndpoint endpoint =
        MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      VmReader reader = new VmReader(ProcFs.host(), TIMEOUT);
      awaitPidFile(qemu);
      List<GuestFacts.Traffic> nics =
          List.of(new GuestFacts.Traffic("eth0", 1000, 10, 0, 1, 2000, 20, 0, 0));
      VmReading reading = reader.read(runtime, null, nics);

      assertThat(reading.drives()).extracting(DriveCounters::drive).containsExactly("root");
      assertThat(reading.vcpus()).extracting(VmReading.Vcpu::id).containsExactly(0, 1);
      assertThat(reading.memoryBytes()).isEqualTo(256L << 20);
      assertThat(reading.process().residentBytes()).isPositive();
      assertThat(reading.process().userSeconds() + reading.process().systemSeconds()).isPositive();

      AgentMetrics metrics =
          new AgentMetrics(new SampleMeters(registry), reader, runtime, "node-1");
      metrics.readVm("pod-uid", "ns1", "vm1", runtime, nics);
      metrics.readNode();
      String text = scrape(endpoint);
      Promtool.assertChecks(text);
      String vm = "name=\"vm1\",namespace=\"ns1\",node=\"node-1\"";
      assertThat(text)
          .contains("fastvm_vmi_memory_domain_bytes{" + vm + "} 2.68435456E8")
          .contains("fastvm_vmi_storage_read_traffic_bytes_total{drive=\"root\"," + vm + "} 0.0")
          .contains("fastvm_vmi_network_receive_bytes_total{interface=\"eth0\"," + vm + "} 1000.0")
          .contains("fastvm_vmi_vcpu_seconds_total{id=\"1\"," + vm + ",state=\"running\"}")
          .contains("fastvm_vmi_cpu_usage_seconds_total{" + vm + "}")
          .contains("fastvm_vmi_memory_resident_bytes{" + vm + "}")
          .contains(
              "fastvm_node_cpus{node=\"node-1\"} "
                  + (double) Runtime.getRuntime().availableProcessors())
          .contains("fastvm_node_memory_available_bytes{node=\"node-1\"}")
          .contains("fastvm_node_filesystem_size_bytes{node=\"node-1\",path=\"" + runtime + "\"}");

      // A round without the guest agent's answer keeps the NICs' last counters.
      metrics.readVm("pod-uid", "ns1", "vm1", runtime, null);
      assertThat(scrape(endpoint))
          .contains("fastvm_vmi_network_receive_bytes_total{interface=\"eth0\"," + vm + "} 1000.0");

      // The VM leaves the node: its series go, the node's stay.
      metrics.retain(java.util.Set.of("another-pod"));
      assertThat(scrape(endpoint)).doesNotContain("fastvm_vmi_").contains("fastvm_node_cpus");
    } finally {
      qemu.destroyForcibly();
      assertThat(qemu.waitFor(30, TimeUnit.SECONDS)).as("QEMU ended").isTrue();
    }
  }

  private void awaitPidFile(Process qemu) throws InterruptedException {
    Path pid = runtime.resolve(RuntimeDir.QEMU_PID_FILE);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.exists(pid) || !Files.exists(runtime.resolve(RuntimeDir.QMP_SOCKET))) {
      assertThat(qemu.isAlive()).as("QEMU runs").isTrue();
      assertThat(System.nanoTime()).as("QEMU wrote its pid file in time").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static String scrape(MetricsEndpoint endpoint) throws Exception {
    InetSocketAddress at = endpoint.address();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }
}
