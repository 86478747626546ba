package io.fastvm.operator.vm;

import io.fastvm.operator.testing.MockCluster;
import io.fastvm.operator.testing.TestCluster;

/** The operator restart scenario against the fabric8 mock API server. */
class OperatorRestartMockServerTest extends OperatorRestartScenario {
  @Override
  TestCluster newCluster() {
    return MockCluster.start();
  }
}
