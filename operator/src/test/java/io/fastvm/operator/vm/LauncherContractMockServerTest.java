package io.fastvm.operator.vm;

import io.fastvm.operator.testing.MockCluster;
import io.fastvm.operator.testing.TestCluster;

/**
 * The launcher contract scenario (a real guest booted from the operator's pod) against the fabric8
 * mock API server.
 */
class LauncherContractMockServerTest extends LauncherContractScenario {
  @Override
  TestCluster newCluster() {
    return MockCluster.start();
  }
}
