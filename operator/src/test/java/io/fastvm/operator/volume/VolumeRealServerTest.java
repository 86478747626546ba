package io.fastvm.operator.volume;

import io.fastvm.operator.testing.RealCluster;
import io.fastvm.testcluster.ControlPlane;
import io.fastvm.testcluster.RealApiServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Volume scenarios against a real kube-apiserver with its controller-manager (dev/kube): the
 * Job controller makes the populate pods and finishes the Jobs, the garbage collector deletes owned
 * PVCs, the PVC's validation refuses what a real one would.
 */
@ExtendWith(RealApiServer.class)
class VolumeRealServerTest extends VolumeScenarios {
  @BeforeAll
  void start(ControlPlane plane) throws Exception {
    RealCluster cluster = RealCluster.on(plane);
    cluster.resetNamespace(NS);
    begin(cluster);
  }
}
