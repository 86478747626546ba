package io.fastvm.operator.vm;

import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.testcluster.RealApiServer;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator restart scenario against a real kube-apiserver and controller-manager (dev/kube).
 */
@ExtendWith(RealApiServer.class)
class OperatorRestartRealServerTest extends OperatorRestartScenario {
  @Override
  TestCluster newCluster() {
    return RealCluster.fresh(RealApiServer.plane(), TestVms.NS);
  }
}
