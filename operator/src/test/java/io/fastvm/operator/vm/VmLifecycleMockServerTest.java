package io.fastvm.operator.vm;

import io.fastvm.operator.testing.MockCluster;
import org.junit.jupiter.api.BeforeAll;

/** The VM lifecycle scenarios against the fabric8 mock API server (fast; no GC, no admission). */
class VmLifecycleMockServerTest extends VmLifecycleScenarios {

  @BeforeAll
  void start() {
    begin(MockCluster.start());
  }
}
