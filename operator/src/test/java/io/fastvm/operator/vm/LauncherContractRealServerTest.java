package io.fastvm.operator.vm;

import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.testcluster.RealApiServer;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The launcher contract scenario (a real guest booted from the operator's pod) against a real
 * kube-apiserver (dev/kube).
 */
@ExtendWith(RealApiServer.class)
class LauncherContractRealServerTest extends LauncherContractScenario {
  @Override
  TestCluster newCluster() {
    return RealCluster.fresh(RealApiServer.plane(), TestVms.NS);
  }
}
