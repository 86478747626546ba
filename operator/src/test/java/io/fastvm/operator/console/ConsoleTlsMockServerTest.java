package io.fastvm.operator.console;

import io.fastvm.operator.testing.MockCluster;
import io.fastvm.operator.testing.TestCluster;

/** The console TLS scenarios against the fabric8 mock API server. */
class ConsoleTlsMockServerTest extends ConsoleTlsScenarios {
  @Override
  TestCluster newCluster() {
    return MockCluster.start();
  }
}
