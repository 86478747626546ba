package io.fastvm.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fastvm.api.validation.CrdCatalog;
import io.fastvm.api.validation.ManifestValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CRDs against the fabric8 <b>mock</b> API server in CRUD mode, because no real API server can
 * run on these machines. The mock stores what it is given and checks little: it proves the CRDs
 * serialize, round-trip and serve their kinds, not that a real API server accepts every rule (the
 * structural and CEL tests cover that).
 */
@EnableKubernetesMockClient(crud = true)
class CrdsOnMockApiServerTest {

  static KubernetesClient client;

  /** The mock server lives as long as the class: start each test without CRDs. */
  @BeforeEach
  void removeCrds() {
    client.apiextensions().v1().customResourceDefinitions().delete();
  }

  @Test
  void mockApiServerStoresEveryCrdAndReturnsItUnchanged() {
    for (CustomResourceDefinition crd : CrdCatalog.committed().crds()) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      CustomResourceDefinition stored =
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(crd.getMetadata().getName())
              .get();
      assertThat(stored).as(crd.getMetadata().getName()).isNotNull();
      assertThat(stored.getSpec()).isEqualTo(crd.getSpec());
    }
    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
        .hasSize(4);
  }

  @Test
  void mockApiServerServesAValidatedVirtualMachine() throws Exception {
    for (CustomResourceDefinition crd : CrdCatalog.committed().crds()) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(crd)
          .createOr(r -> r.update());
    }
    ManifestValidator validator = ManifestValidator.committed();
    String yaml = Files.readString(Path.of("src/test/resources/valid/windows-11.yaml"));
    var report =
        validator.validateYaml(yaml).stream()
            .filter(r -> r.kind().equals("VirtualMachine"))
            .findFirst()
            .orElseThrow();
    assertThat(report.violations()).isEmpty();
    // What a real API server would store: defaults applied.
    JsonNode stored = validator.withDefaults(report.manifest());
    GenericKubernetesResource vm =
        Serialization.jsonMapper().treeToValue(stored, GenericKubernetesResource.class);

    client
        .genericKubernetesResources("fastvm.io/v1alpha1", "VirtualMachine")
        .inNamespace("lab")
        .resource(vm)
        .create();

    GenericKubernetesResource read =
        client
            .genericKubernetesResources("fastvm.io/v1alpha1", "VirtualMachine")
            .inNamespace("lab")
            .withName("win11")
            .get();
    assertThat(read).isNotNull();
    assertThat(read.<String>get("spec", "firmware", "type")).isEqualTo("uefi");
    assertThat(read.<String>get("spec", "accelerator")).isEqualTo("auto");
  }
}
