package io.fastvm.operator.quarkus;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.TestVms;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The packaged Quarkus application (Quarkus Operator SDK, health, Prometheus metrics) against
 * Quarkus' fabric8 mock API server in CRUD mode, since no real API server can run here.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = CommittedCrds.class)
class OperatorAppMockServerTest {

  @Inject KubernetesClient client;
  @Inject OperatorSettings settings;

  /**
   * The defaults live in three places (application.properties documents them, @WithDefault keeps
   * them when a key is removed, OperatorSettings.defaults() serves the unit tests): they agree.
   */
  @Test
  void thePackagedConfigurationIsTheDocumentedDefault() {
    assertThat(settings).isEqualTo(OperatorSettings.defaults());
  }

  @Test
  void operatorRunsReportsHealthAndExportsMetrics() {
    given().when().get("/q/health/live").then().statusCode(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200));

    Volume volume = client.resource(TestVms.volume("q-root")).create();
    volume.setStatus(TestVms.readyStatus("q-root-pvc"));
    client.resource(volume).updateStatus();
    client.resource(TestVms.newVm("q", TestVms.spec().disk("root", "q-root").build())).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              VirtualMachine vm =
                  client
                      .resources(VirtualMachine.class)
                      .inNamespace(TestVms.NS)
                      .withName("q")
                      .get();
              return vm.getStatus() != null
                  && vm.getStatus().printableStatus() == PrintableStatus.STARTING;
            });
    assertThat(client.pods().inNamespace(TestVms.NS).list().getItems())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getSpec().getContainers().get(0).getImage())
                    .isEqualTo("ghcr.io/fastvm/node-agent:latest"));

    given()
        .when()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("fastvm_vm_reconcile_seconds_count"))
        .body(containsString("fastvm_vms{phase=\"Pending\"}"))
        .body(containsString("fastvm_vm_pods_created_total"));
  }
}
