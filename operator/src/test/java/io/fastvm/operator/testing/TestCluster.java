package io.fastvm.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Where a scenario runs: the fabric8 mock API server ({@link MockCluster}: fast, but no garbage
 * collector, admission, RBAC or server-side apply) or a real kube-apiserver with its
 * controller-manager ({@link RealCluster}). One test code for both: what only a real server does
 * (the garbage collector deleting owned objects, say) is checked where {@link #real()}.
 */
public interface TestCluster extends AutoCloseable {

  /** A cluster-admin client, shared by the test. */
  KubernetesClient client();

  /** A second client, as a separate operator process would have; the caller closes it. */
  KubernetesClient newClient();

  /** True for a real API server and controller-manager. */
  boolean real();

  /** Creates the namespace where namespaces are real objects (the mock has none). */
  void ensureNamespace(String name);

  @Override
  void close();
}
