package io.fastvm.operator.volume;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.CloudInitConfigStatus;
import io.fastvm.api.v1alpha1.CloudInitPhase;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumePhase;
import io.fastvm.api.v1alpha1.VolumeSource;
import io.fastvm.api.v1alpha1.VolumeStatus;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.FakeJobRunner;
import io.fastvm.operator.testing.OperatorScenario;
import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.testcluster.ControlPlane;
import io.fastvm.testcluster.RealApiServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every Volume and CloudInitConfig of the repository's {@code examples/} reconciles as written (the
 * CloudInitConfigs with their password Secrets become Ready), on a real API server with its
 * controller-manager: each file applied to its own namespace (the fastvm kinds and core objects;
 * Multus' kinds are not served here), the populate Jobs' pods run the real populator on this
 * machine. The examples' URLs point at hosts this machine cannot reach, so the populator is routed
 * to a local server that serves a small qcow2 image for {@code .qcow2} paths and raw bytes for the
 * rest: a Volume without a digest becomes Ready; one with a pinned digest (the examples' digests
 * stand for the real files') fails with a checksum mismatch that names it, which shows the digest
 * as written is enforced. The namespaces stay: the control plane is this JVM's alone.
 */
@ExtendWith(RealApiServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExampleVolumesRealServerTest {
  static final Path EXAMPLES = Path.of("..", "examples");
  static final Duration WAIT = Duration.ofMinutes(4);

  Path tmp;
  RealCluster cluster;
  KubernetesClient client;
  RunningOperator operator;
  FakeJobRunner jobs;
  HttpServer http;
  final List<Volume> volumes = new ArrayList<>();
  final List<CloudInitConfig> cloudInits = new ArrayList<>();

  @BeforeAll
  void start(ControlPlane plane) throws Exception {
    tmp = Files.createTempDirectory("fastvm-examples");
    cluster = RealCluster.on(plane);
    client = cluster.client();
    http = imageServer();
    operator = RunningOperator.withVolumes(client, OperatorSettings.defaults());
    jobs =
        FakeJobRunner.start(
            cluster, Files.createDirectories(tmp.resolve("storage")), tmp.resolve("pods"));
    String local = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
    jobs.routeUrls(url -> local + URI.create(url).getHost() + URI.create(url).getPath());
    applyExamples();
  }

  @AfterAll
  void stop() throws Exception {
    if (jobs != null) {
      jobs.close();
    }
    if (operator != null) {
      operator.close();
    }
    if (http != null) {
      http.stop(0);
    }
    if (tmp != null) {
      io.fastvm.node.testing.TestGuests.deleteTree(tmp);
    }
  }

  /** Each example file in its own namespace, as a user would apply it. */
  private void applyExamples() throws IOException {
    for (Path file : exampleFiles()) {
      String namespace = "example-" + file.getFileName().toString().replace(".yaml", "");
      cluster.resetNamespace(namespace);
      for (HasMetadata object : fastvmAndCoreObjects(file)) {
        object.getMetadata().setNamespace(namespace);
        HasMetadata created = client.resource(object).create();
        var serialization = client.getKubernetesSerialization();
        if ("Volume".equals(created.getKind())) {
          volumes.add(serialization.convertValue(created, Volume.class));
        } else if ("CloudInitConfig".equals(created.getKind())) {
          cloudInits.add(serialization.convertValue(created, CloudInitConfig.class));
        }
      }
    }
  }

  @Test
  void everyExampleCloudInitConfigReconcilesAsWritten() {
    assertThat(cloudInits)
        .extracting(c -> c.getMetadata().getName())
        .as("the examples' CloudInitConfigs")
        .contains("debian-init", "web-static");
    for (CloudInitConfig config : cloudInits) {
      String name = config.getMetadata().getNamespace() + "/" + config.getMetadata().getName();
      CloudInitConfigStatus status =
          OperatorScenario.awaitStatus(
              name,
              WAIT,
              () ->
                  java.util.Optional.ofNullable(client.resource(config).get())
                      .map(CloudInitConfig::getStatus)
                      .orElse(null),
              s -> s.phase() == CloudInitPhase.READY);
      assertThat(
              client
                  .secrets()
                  .inNamespace(config.getMetadata().getNamespace())
                  .withName(status.secretName())
                  .get())
          .as(name + "'s Secret")
          .isNotNull();
    }
  }

  @Test
  void everyExampleVolumeReconcilesAsWritten() {
    assertThat(volumes).as("the examples' Volumes").hasSizeGreaterThanOrEqualTo(10);

    for (Volume volume : volumes) {
      VolumeSource source = volume.getSpec().source();
      String name = volume.getMetadata().getNamespace() + "/" + volume.getMetadata().getName();
      if (source.snapshot() != null) {
        assertThat(ready(awaitPhase(volume, VolumePhase.PENDING)))
            .as(name)
            .startsWith("False SnapshotRestoreNotSupported")
            .contains(source.snapshot().name());
      } else if (source.http() != null && source.http().sha256() != null) {
        assertThat(ready(awaitPhase(volume, VolumePhase.FAILED)))
            .as(name)
            .startsWith("False PopulateRefused")
            .contains("checksum mismatch", source.http().sha256());
      } else {
        VolumeStatus status = awaitPhase(volume, VolumePhase.READY);
        if (VolumePlanner.overlay(volume)) {
          // Metadata only: the launcher makes the overlay on the VM's first start.
          assertThat(status.backingVolume()).as(name).isEqualTo(source.volume().name());
          assertThat(status.virtualSize()).as(name).isNull();
          continue;
        }
        assertThat(status.virtualSize()).as(name).isEqualTo(volume.getSpec().size());
        assertThat(status.format()).as(name).isEqualTo(volume.getSpec().effectiveFormat());
      }
    }
  }

  private VolumeStatus awaitPhase(Volume volume, VolumePhase phase) {
    return OperatorScenario.awaitStatus(
        volume.getMetadata().getNamespace() + "/" + volume.getMetadata().getName(),
        WAIT,
        () ->
            java.util.Optional.ofNullable(client.resource(volume).get())
                .map(Volume::getStatus)
                .orElse(null),
        s -> s.phase() == phase);
  }

  private static String ready(VolumeStatus status) {
    return status.conditions().stream()
        .filter(c -> VolumeConditions.READY.equals(c.getType()))
        .map(c -> c.getStatus() + " " + c.getReason() + " " + c.getMessage())
        .findFirst()
        .orElse("(no Ready condition)");
  }

  private static List<Path> exampleFiles() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private List<HasMetadata> fastvmAndCoreObjects(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return client.load(in).items().stream()
          .filter(o -> o.getApiVersion().startsWith("fastvm.io/") || "v1".equals(o.getApiVersion()))
          .toList();
    }
  }

  /** Serves a 256 MiB qcow2 image for {@code .qcow2} paths and 1 MiB of raw bytes for the rest. */
  private HttpServer imageServer() throws IOException, InterruptedException {
    Path qcow2 = tmp.resolve("served.qcow2");
    Process made =
        new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", qcow2.toString(), "256M")
            .inheritIO()
            .start();
    assertThat(made.waitFor()).as("qemu-img create").isZero();
    byte[] image = Files.readAllBytes(qcow2);
    byte[] raw = new byte[1 << 20];
    for (int i = 0; i < raw.length; i += 512) {
      raw[i] = (byte) (i >> 9);
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestURI().getPath().endsWith(".qcow2") ? image : raw;
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return server;
  }
}
