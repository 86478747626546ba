package io.fastvm.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumePhase;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.FakeJobRunner;
import io.fastvm.operator.testing.FakeKubelet;
import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.operator.vm.PodView;
import io.fastvm.operator.vm.VmMetadata;
import io.fastvm.testcluster.ControlPlane;
import io.fastvm.testcluster.RealApiServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Helm chart installed for real (Helm's own code, helm-java) on a real kube-apiserver: its
 * CRDs, RBAC, Deployments and Services are accepted. Then the operator runs in this JVM with the
 * token of the chart's own ServiceAccount (TokenRequest) and carries a VM through its lifecycle —
 * start, restart, halt, delete — while every answer the API server gives it is recorded: no 403
 * anywhere proves the chart's ClusterRole is enough for what the operator does.
 */
@ExtendWith(RealApiServer.class)
class ChartInstallRealServerTest {
  static final String RELEASE_NS = "fastvm-system";
  static final String NS = TestVms.NS;
  static final Duration WAIT = Duration.ofSeconds(30);

  static ControlPlane plane;
  static KubernetesClient admin;

  @BeforeAll
  static void install(ControlPlane shared) {
    plane = shared;
    admin = plane.admin();
    RealCluster.on(plane).resetNamespace(NS);
    plane.installChart(RELEASE_NS);
  }

  @Test
  void theChartsObjectsAreAcceptedByTheRealServer() {
    assertThat(admin.apps().deployments().inNamespace(RELEASE_NS).list().getItems())
        .extracting(d -> d.getMetadata().getName())
        .contains("fastvm-operator", "fastvm-console-proxy");
    assertThat(admin.services().inNamespace(RELEASE_NS).list().getItems())
        .extracting(s -> s.getMetadata().getName())
        .contains("fastvm-console-proxy");
    assertThat(admin.rbac().clusterRoles().withName("fastvm-operator").get()).isNotNull();
    // The aggregated user roles reach Kubernetes' own edit role (the aggregation controller runs).
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(admin.rbac().clusterRoles().withName("edit").get().getRules())
                    .anySatisfy(
                        r -> assertThat(r.getResources()).contains("virtualmachines/console")));
    for (String crd :
        List.of(
            "virtualmachines.fastvm.io",
            "volumes.fastvm.io",
            "snapshots.fastvm.io",
            "cloudinitconfigs.fastvm.io")) {
      assertThat(admin.apiextensions().v1().customResourceDefinitions().withName(crd).get())
          .as(crd)
          .isNotNull();
    }
  }

  /** Every answer the operator's client got, with a failure status, as "STATUS METHOD PATH". */
  static final List<String> refusals = new CopyOnWriteArrayList<>();

  @Test
  void theOperatorWithTheChartsServiceAccountCarriesAVmThroughItsLifecycleWithoutA403()
      throws Exception {
    String token = plane.serviceAccountToken(RELEASE_NS, "fastvm-operator");
    KubernetesClient operatorClient =
        new KubernetesClientBuilder()
            .withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(plane.config(token))
                    .withNamespace(RELEASE_NS)
                    .build())
            .withHttpClientBuilderConsumer(
                b -> b.addOrReplaceInterceptor("refusals", new RecordRefusals()))
            .build();
    // The recorder works: the ServiceAccount may not list nodes, and that refusal is seen.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> operatorClient.nodes().list())
        .isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class);
    assertThat(refusals).containsExactly("403 GET /api/v1/nodes");
    refusals.clear();

    java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory("fastvm-chart");
    try (RunningOperator operator =
            RunningOperator.withVolumes(operatorClient, OperatorSettings.defaults());
        FakeKubelet kubelet = FakeKubelet.watching(RealCluster.on(plane), false, true);
        FakeJobRunner jobs =
            FakeJobRunner.start(
                RealCluster.on(plane),
                java.nio.file.Files.createDirectories(tmp.resolve("storage")),
                tmp.resolve("pods"))) {
      // A blank Volume written by its populate Job, then grown (the unbound PVC cannot grow:
      // refused by the server's validation, not by RBAC).
      admin.resource(TestVms.volume("chart-root")).create();
      awaitVolume("chart-root", VolumePhase.READY);
      admin
          .resources(Volume.class)
          .inNamespace(NS)
          .withName("chart-root")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"size\":\"20Gi\"}}");
      await()
          .atMost(WAIT)
          .until(
              () ->
                  admin.v1().events().inNamespace(NS).list().getItems().stream()
                      .anyMatch(e -> "ClaimNotResized".equals(e.getReason())));
      // Made Ready by the CloudInitConfig reconciler, with the chart's rights.
      admin.resource(TestVms.cloudInit("chart-init")).create();
      admin
          .resource(
              TestVms.newVm(
                  "chart",
                  TestVms.spec()
                      .disk("root", "chart-root")
                      .uefiWithTpm()
                      .cloudInit("chart-init")
                      .natWithSsh()
                      .build()))
          .create();

      String first = awaitActivePod("");
      kubelet.run(NS, first, true);
      awaitStatus(s -> s.printableStatus() == PrintableStatus.RUNNING);

      // Restart: a new pod replaces the running one.
      annotate(VirtualMachine.RESTART_ANNOTATION, "2026-12-01T10:00:00Z");
      String second = awaitActivePod(first);
      kubelet.run(NS, second, true);
      awaitStatus(
          s -> s.printableStatus() == PrintableStatus.RUNNING && second.equals(s.podName()));

      // Halt: the pod goes, the VM is Stopped.
      admin
          .resources(VirtualMachine.class)
          .inNamespace(NS)
          .withName("chart")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"runStrategy\":\"Halted\"}}");
      awaitStatus(s -> s.printableStatus() == PrintableStatus.STOPPED);

      // Delete: the garbage collector takes what the VM owned.
      admin.resources(VirtualMachine.class).inNamespace(NS).withName("chart").delete();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  admin.resources(VirtualMachine.class).inNamespace(NS).withName("chart").get()
                          == null
                      && admin.services().inNamespace(NS).withName("chart").get() == null
                      && admin
                              .persistentVolumeClaims()
                              .inNamespace(NS)
                              .withName("chart-state")
                              .get()
                          == null);
      // The Volume, no longer used, goes with its PVC.
      admin.resources(Volume.class).inNamespace(NS).withName("chart-root").delete();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  admin.resources(Volume.class).inNamespace(NS).withName("chart-root").get()
                      == null);
      operator.flushEvents();
    } finally {
      operatorClient.close();
      io.fastvm.node.testing.TestGuests.deleteTree(tmp);
    }
    assertThat(refusals)
        .as("answers the operator got that the chart's RBAC refused")
        .noneMatch(r -> r.startsWith("403 ") || r.startsWith("401 "));
  }

  private static String awaitActivePod(String not) {
    String[] found = new String[1];
    await()
        .atMost(WAIT)
        .until(
            () -> {
              List<Pod> active =
                  admin
                      .pods()
                      .inNamespace(NS)
                      .withLabel(VmMetadata.MANAGED_BY, VmMetadata.MANAGED_BY_VALUE)
                      .list()
                      .getItems()
                      .stream()
                      .filter(p -> !new PodView(p).terminal())
                      .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                      .toList();
              if (active.size() != 1 || active.get(0).getMetadata().getName().equals(not)) {
                return false;
              }
              found[0] = active.get(0).getMetadata().getName();
              return true;
            });
    return found[0];
  }

  private static void awaitVolume(String name, VolumePhase phase) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Volume volume = admin.resources(Volume.class).inNamespace(NS).withName(name).get();
              return volume.getStatus() != null && volume.getStatus().phase() == phase;
            });
  }

  private static void awaitStatus(Predicate<VirtualMachineStatus> test) {
    VirtualMachineStatus[] last = new VirtualMachineStatus[1];
    try {
      await()
          .atMost(WAIT)
          .until(
              () -> {
                VirtualMachine vm =
                    admin.resources(VirtualMachine.class).inNamespace(NS).withName("chart").get();
                last[0] = vm.getStatus();
                return last[0] != null && test.test(last[0]);
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("last status " + last[0] + "; refused requests: " + refusals, e);
    }
  }

  private static void annotate(String key, String value) {
    admin
        .resources(VirtualMachine.class)
        .inNamespace(NS)
        .withName("chart")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}");
  }

  /** Records every response of 400 and above (404 and 409 are expected and harmless). */
  static final class RecordRefusals implements Interceptor {
    @Override
    public void after(
        HttpRequest request,
        HttpResponse<?> response,
        io.fabric8.kubernetes.client.http.AsyncBody.Consumer<List<ByteBuffer>> consumer) {
      if (response.code() >= 400) {
        refusals.add(response.code() + " " + request.method() + " " + request.uri().getPath());
      }
    }
  }
}
