package io.fastvm.operator.vm;

import io.fastvm.operator.testing.MockCluster;
import io.fastvm.operator.testing.TestCluster;

/** The pod contract scenario against the fabric8 mock API server. */
class PodContractMockServerTest extends PodContractScenario {
  @Override
  TestCluster newCluster() {
    return MockCluster.start();
  }
}
