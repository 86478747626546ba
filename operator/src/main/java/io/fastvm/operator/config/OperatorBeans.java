package io.fastvm.operator.config;

import io.fastvm.operator.console.ConsoleTlsSettings;
import io.fastvm.operator.metrics.VmMetrics;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the plain classes into Quarkus; tests build them directly. */
public class OperatorBeans {

  @Produces
  @Singleton
  OperatorSettings settings(FastvmConfig config) {
    return config.settings();
  }

  @Produces
  @Singleton
  ConsoleTlsSettings consoleTls(FastvmConfig config) {
    return config.consoleTls();
  }

  @Produces
  @Singleton
  VmMetrics metrics(MeterRegistry registry) {
    return new VmMetrics(registry);
  }

  /**
   * One active operator at a time (a Lease in the operator's namespace); the others wait as hot
   * standbys. Only active in the prod profile (quarkus.operator-sdk.activate-leader-election-for-
   * profiles).
   */
  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection() {
    return new LeaderElectionConfiguration("fastvm-operator");
  }
}
