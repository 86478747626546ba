package io.fastvm.operator.vm;

import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.testcluster.RealApiServer;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pod contract scenario against a real kube-apiserver (dev/kube): the pod the real server
 * stored (defaults and admission applied) is the one run.
 */
@ExtendWith(RealApiServer.class)
class PodContractRealServerTest extends PodContractScenario {
  @Override
  TestCluster newCluster() {
    return RealCluster.fresh(RealApiServer.plane(), TestVms.NS);
  }
}
