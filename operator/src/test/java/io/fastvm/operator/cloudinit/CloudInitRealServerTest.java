package io.fastvm.operator.cloudinit;

import io.fastvm.operator.testing.RealCluster;
import io.fastvm.testcluster.ControlPlane;
import io.fastvm.testcluster.RealApiServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CloudInitConfig scenarios against a real kube-apiserver, etcd and controller-manager
 * (dev/kube): the status subresource, owner references and the garbage collector are the real ones.
 */
@ExtendWith(RealApiServer.class)
class CloudInitRealServerTest extends CloudInitScenarios {

  @BeforeAll
  void start(ControlPlane plane) {
    RealCluster cluster = RealCluster.on(plane);
    cluster.resetNamespace(NS);
    begin(cluster);
  }
}
