package io.fastvm.operator.vm;

import io.fastvm.operator.testing.RealCluster;
import io.fastvm.testcluster.ControlPlane;
import io.fastvm.testcluster.RealApiServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The VM lifecycle scenarios against a real kube-apiserver, etcd and controller-manager (dev/kube):
 * admission, the status subresource, resourceVersion conflicts and the garbage collector are the
 * real ones; the fake kubelet binds pods to a fake Node.
 */
@ExtendWith(RealApiServer.class)
class VmLifecycleRealServerTest extends VmLifecycleScenarios {

  @BeforeAll
  void start(ControlPlane plane) {
    RealCluster cluster = RealCluster.on(plane);
    cluster.resetNamespace(NS);
    begin(cluster);
  }
}
