package io.fastvm.operator.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * A fabric8 mock Kubernetes API server in CRUD mode, because no real API server can run on the
 * machines these tests run on. It stores objects, serves watches and merge/JSON patches, knows
 * status subresources from the CRDs we install, and has no server-side apply, no garbage collector,
 * no scheduler and no kubelet ({@link FakeKubelet} plays the kubelet).
 */
public final class MockCluster implements TestCluster {

  /** The committed CRDs, as packaged in the crds jar. */
  static final List<String> CRDS =
      List.of(
          "virtualmachines.fastvm.io.yaml",
          "volumes.fastvm.io.yaml",
          "cloudinitconfigs.fastvm.io.yaml",
          "snapshots.fastvm.io.yaml");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private MockCluster(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  public static MockCluster start() {
    // The mock applies JSON merge patches with Jackson's readerForUpdating, which appends to
    // arrays; RFC 7386 (and the real API server) replaces them. Without this, every merge patch of
    // a list (conditions, finalizers) would grow it instead of setting it.
    Serialization.jsonMapper().configOverride(ArrayNode.class).setMergeable(false);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init();
    KubernetesClient client = server.createClient();
    MockCluster cluster = new MockCluster(server, client);
    cluster.installCrds();
    return cluster;
  }

  private void installCrds() {
    for (String file : CRDS) {
      try (InputStream in =
          MockCluster.class.getResourceAsStream("/META-INF/fastvm/crds/" + file)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + file + " is not on the classpath");
        }
        CustomResourceDefinition crd =
            client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The URL an operator in another process connects to. */
  public String url() {
    return client.getConfiguration().getMasterUrl();
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  /** A second client, as a separate operator process would have. */
  @Override
  public KubernetesClient newClient() {
    return server.createClient();
  }

  @Override
  public boolean real() {
    return false;
  }

  @Override
  public void ensureNamespace(String name) {
    // The mock stores namespaced objects without their namespace existing.
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
