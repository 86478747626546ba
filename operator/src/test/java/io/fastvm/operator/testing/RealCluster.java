package io.fastvm.operator.testing;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.testcluster.ControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-apiserver with etcd, controller-manager (garbage collector, ServiceAccount tokens)
 * and scheduler, from dev/kube ({@link ControlPlane}), shared by the test JVM; no kubelet, so
 * {@link FakeKubelet} plays the node. The committed CRDs are applied and Established.
 */
public final class RealCluster implements TestCluster {
  private final ControlPlane plane;

  private RealCluster(ControlPlane plane) {
    this.plane = plane;
  }

  /** The committed CRDs on {@code plane} (applied again if present: the same objects). */
  public static RealCluster on(ControlPlane plane) {
    RealCluster cluster = new RealCluster(plane);
    cluster.installCrds();
    return cluster;
  }

  private void installCrds() {
    KubernetesClient client = plane.admin();
    for (String file : MockCluster.CRDS) {
      try (InputStream in =
          RealCluster.class.getResourceAsStream("/META-INF/fastvm/crds/" + file)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + file + " is not on the classpath");
        }
        CustomResourceDefinition crd =
            client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .waitUntilCondition(RealCluster::established, 60, TimeUnit.SECONDS);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The cluster on {@code plane} with {@code namespaces} fresh and empty. */
  public static RealCluster fresh(ControlPlane plane, String... namespaces) {
    RealCluster cluster = on(plane);
    for (String namespace : namespaces) {
      cluster.resetNamespace(namespace);
    }
    return cluster;
  }

  static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  public ControlPlane plane() {
    return plane;
  }

  @Override
  public KubernetesClient client() {
    return plane.admin();
  }

  @Override
  public KubernetesClient newClient() {
    return plane.client("admin");
  }

  @Override
  public boolean real() {
    return true;
  }

  @Override
  public void ensureNamespace(String name) {
    plane
        .admin()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
  }

  /**
   * A fresh, empty namespace: a test class's leftovers are gone. Pods are force-deleted first,
   * because bound pods would otherwise wait for a kubelet to confirm and keep the namespace, and
   * Volumes lose the operator's finalizer, which no operator is left to remove.
   */
  public void resetNamespace(String name) {
    KubernetesClient client = plane.admin();
    if (client.namespaces().withName(name).get() != null) {
      client.pods().inNamespace(name).withGracePeriod(0).delete();
      client.namespaces().withName(name).delete();
      // No operator runs between test classes to remove its finalizers: the test does.
      for (var volume :
          client
              .resources(io.fastvm.api.v1alpha1.Volume.class)
              .inNamespace(name)
              .list()
              .getItems()) {
        if (volume.getMetadata().getFinalizers() != null
            && !volume.getMetadata().getFinalizers().isEmpty()) {
          client
              .resource(volume)
              .patch(
                  io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                      io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                  "{\"metadata\":{\"finalizers\":null}}");
        }
      }
      try {
        client.namespaces().withName(name).waitUntilCondition(n -> n == null, 2, TimeUnit.MINUTES);
      } catch (io.fabric8.kubernetes.client.KubernetesClientTimeoutException e) {
        var left = client.namespaces().withName(name).get();
        throw new IllegalStateException(
            "namespace " + name + " is not gone: " + (left == null ? "" : left.getStatus()), e);
      }
    }
    ensureNamespace(name);
  }

  /** The control plane belongs to the JVM (RealApiServer), not to one test: nothing to stop. */
  @Override
  public void close() {}
}
