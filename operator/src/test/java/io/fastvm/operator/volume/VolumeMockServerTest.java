package io.fastvm.operator.volume;

import io.fastvm.operator.testing.MockCluster;
import org.junit.jupiter.api.BeforeAll;

/** The Volume scenarios against the fabric8 mock API server (no GC, no Job controller). */
class VolumeMockServerTest extends VolumeScenarios {
  @BeforeAll
  void start() throws Exception {
    begin(MockCluster.start());
  }
}
