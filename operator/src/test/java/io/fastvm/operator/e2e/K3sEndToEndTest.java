package io.fastvm.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fastvm.api.v1alpha1.Accelerator;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestVms;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * End to end against a real API server (k3s in a container): CRDs, the operator, a VM, its pod and
 * Service. Needs a Docker engine; on machines without one (like the project's) it skips and says
 * so. The node has no node-agent image or device plugin, so the VM gets as far as its pod.
 */
class K3sEndToEndTest {
  static final String NO_DOCKER =
      "Docker is missing: the k3s end-to-end test needs a Docker engine; skipped";
  static boolean docker;
  static K3sContainer k3s;
  static KubernetesClient client;

  @BeforeAll
  static void startK3s() {
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      docker = false;
    }
    if (!docker) {
      System.out.println(NO_DOCKER);
      return;
    }
    k3s = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));
    k3s.start();
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml()))
            .build();
    for (String file :
        List.of(
            "virtualmachines.fastvm.io.yaml",
            "volumes.fastvm.io.yaml",
            "cloudinitconfigs.fastvm.io.yaml",
            "snapshots.fastvm.io.yaml")) {
      try (InputStream in =
          K3sEndToEndTest.class.getResourceAsStream("/META-INF/fastvm/crds/" + file)) {
        client
            .resource(
                client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
            .serverSideApply();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(TestVms.NS)
                .endMetadata()
                .build())
        .create();
  }

  /** Each test reports itself skipped, with the reason, where there is no Docker engine. */
  @BeforeEach
  void needsDocker() {
    Assumptions.assumeTrue(docker, NO_DOCKER);
  }

  @AfterAll
  static void stopK3s() {
    if (client != null) {
      client.close();
    }
    if (k3s != null) {
      k3s.stop();
    }
  }

  @Test
  void vmGetsAPodAndAServiceOnARealApiServer() {
    try (RunningOperator operator =
        RunningOperator.start(client, OperatorSettings.defaults().withRequestKvmForAuto(false))) {
      Volume volume = client.resource(TestVms.volume("e2e-root")).create();
      volume.setStatus(TestVms.readyStatus("e2e-root-pvc"));
      client.resource(volume).updateStatus();
      VirtualMachineSpec spec = TestVms.spec().disk("root", "e2e-root").natWithSsh().build();
      client.resource(TestVms.newVm("e2e", spec)).create();
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () -> {
                VirtualMachine vm =
                    client
                        .resources(VirtualMachine.class)
                        .inNamespace(TestVms.NS)
                        .withName("e2e")
                        .get();
                return vm.getStatus() != null
                    && vm.getStatus().printableStatus() == PrintableStatus.STARTING;
              });
      assertThat(client.services().inNamespace(TestVms.NS).withName("e2e").get()).isNotNull();
      assertThat(client.pods().inNamespace(TestVms.NS).list().getItems()).hasSize(1);
      assertThat(Accelerator.AUTO).isNotNull();
    }
  }
}
