package io.fastvm.operator.cloudinit;

import io.fastvm.operator.testing.MockCluster;
import org.junit.jupiter.api.BeforeAll;

/** The CloudInitConfig scenarios against the fabric8 mock API server (no GC, no admission). */
class CloudInitMockServerTest extends CloudInitScenarios {

  @BeforeAll
  void start() {
    begin(MockCluster.start());
  }
}
