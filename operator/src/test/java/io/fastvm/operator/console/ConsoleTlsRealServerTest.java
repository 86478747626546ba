package io.fastvm.operator.console;

import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.testcluster.RealApiServer;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The console TLS scenarios against a real kube-apiserver (dev/kube): Secrets, owner references and
 * the garbage collector are the real ones.
 */
@ExtendWith(RealApiServer.class)
class ConsoleTlsRealServerTest extends ConsoleTlsScenarios {
  @Override
  TestCluster newCluster() {
    return RealCluster.fresh(RealApiServer.plane(), ConsoleTlsScenarios.OPERATOR_NS, TestVms.NS);
  }
}
