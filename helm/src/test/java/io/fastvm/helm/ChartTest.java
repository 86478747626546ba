package io.fastvm.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Helm chart, linted and rendered with Helm's own library (helm-java). */
class ChartTest {

  private static final String TAG = "0.1.0";

  @Test
  void lintsWithoutWarnings() {
    LintResult result = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
  }

  @Test
  void crdsAreExactlyTheGeneratedOnes() throws IOException {
    assertThat(yamlFiles(RenderedChart.CHART.resolve("crds")))
        .as("helm/fastvm/crds (regenerate: ./mvnw -pl crds process-test-classes -Pupdate-crds)")
        .isEqualTo(yamlFiles(Path.of("..", "crds", "manifests")));
  }

  @Test
  void operatorRunsUnprivilegedWithTheNodeAgentImageOfTheSameVersion() {
    RenderedChart chart = RenderedChart.render(Map.of());
    Deployment deployment = chart.get(Deployment.class, "fastvm-operator");
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(operator.getImage()).isEqualTo("ghcr.io/fastvm/operator:" + TAG);
    assertThat(env(operator, "FASTVM_NODE_AGENT_IMAGE"))
        .contains("ghcr.io/fastvm/node-agent:" + TAG);
    assertThat(env(operator, "FASTVM_POD_REQUEST_KVM_FOR_AUTO")).contains("false");
    assertThat(env(operator, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEmpty();
    assertThat(operator.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("fastvm-operator");
  }

  @Test
  void valuesReachTheOperator() {
    RenderedChart chart =
        RenderedChart.render(
            Map.of(
                "image.tag", "1.2.3",
                "image.registry", "registry.example.com/virt",
                "operator.watchNamespaces[0]", "lab",
                "operator.watchNamespaces[1]", "vms",
                "operator.requestKvmForAuto", "true",
                "operator.stateStorageClass", "fast"));
    Container operator = container(chart, "fastvm-operator");
    assertThat(operator.getImage()).isEqualTo("registry.example.com/virt/operator:1.2.3");
    assertThat(env(operator, "FASTVM_NODE_AGENT_IMAGE"))
        .contains("registry.example.com/virt/node-agent:1.2.3");
    assertThat(env(operator, "QUARKUS_OPERATOR_SDK_NAMESPACES")).contains("lab,vms");
    assertThat(env(operator, "FASTVM_POD_REQUEST_KVM_FOR_AUTO")).contains("true");
    assertThat(env(operator, "FASTVM_STATE_STORAGE_CLASS")).contains("fast");
  }

  /**
   * Exactly what docs/operator.md ("RBAC the operator needs") lists, and nothing else: least
   * privilege, written down. That it is <em>enough</em> is not this list's word but the real API
   * server's: operator/ChartInstallRealServerTest runs the operator with the chart's ServiceAccount
   * through a VM's lifecycle and fails on any 403.
   */
  @Test
  void operatorRoleGrantsWhatTheOperatorUsesAndNothingMore() {
    RenderedChart chart = RenderedChart.render(Map.of());
    List<PolicyRule> rules = chart.get(ClusterRole.class, "fastvm-operator").getRules();
    Map<String, List<String>> expected =
        Map.ofEntries(
            Map.entry("fastvm.io/virtualmachines", List.of("get", "list", "watch")),
            Map.entry("fastvm.io/volumes", List.of("get", "list", "watch", "patch")),
            Map.entry("fastvm.io/cloudinitconfigs", List.of("get", "list", "watch")),
            Map.entry("fastvm.io/virtualmachines/status", List.of("patch")),
            Map.entry("fastvm.io/cloudinitconfigs/status", List.of("patch")),
            Map.entry("fastvm.io/volumes/status", List.of("patch")),
            Map.entry("/pods", List.of("get", "list", "watch", "create", "delete")),
            Map.entry("/pods/log", List.of("get")),
            Map.entry("/services", List.of("get", "list", "watch", "create", "patch", "delete")),
            Map.entry(
                "/persistentvolumeclaims", List.of("get", "list", "watch", "create", "patch")),
            Map.entry("batch/jobs", List.of("get", "list", "watch", "create", "delete")),
            Map.entry("/secrets", List.of("get", "list", "watch", "create", "patch")),
            Map.entry("/events", List.of("create", "get", "patch")));
    Map<String, List<String>> granted = new TreeMap<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          granted
              .computeIfAbsent(group + "/" + resource, k -> new ArrayList<>())
              .addAll(rule.getVerbs());
        }
      }
    }
    assertThat(granted).containsOnlyKeys(expected.keySet());
    expected.forEach(
        (resource, verbs) ->
            assertThat(granted.get(resource))
                .as(resource)
                .containsExactlyInAnyOrderElementsOf(verbs));
    Role election = chart.get(Role.class, "fastvm-operator-leader-election");
    assertThat(election.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
    assertThat(grants(election.getRules(), "coordination.k8s.io", "leases", "update")).isTrue();
  }

  /**
   * The console TLS contract between operator and proxy (docs/console.md): the operator knows its
   * namespace (POD_NAMESPACE), where it keeps fastvm-console-proxy-tls, which the proxy mounts
   * (optional, so the proxy starts before the operator issued it) as its backend TLS dir.
   */
  @Test
  void theProxyMountsTheClientCertificateTheOperatorIssuesInItsNamespace() {
    RenderedChart chart = RenderedChart.render(Map.of());
    Container operator =
        chart
            .get(Deployment.class, "fastvm-operator")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(operator.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("POD_NAMESPACE");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                  .isEqualTo("metadata.namespace");
            });
    var proxyPod =
        chart.get(Deployment.class, "fastvm-console-proxy").getSpec().getTemplate().getSpec();
    var volume =
        proxyPod.getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .filter(v -> "fastvm-console-proxy-tls".equals(v.getSecret().getSecretName()))
            .findFirst()
            .orElseThrow();
    assertThat(volume.getSecret().getOptional()).isTrue();
    assertThat(proxyPod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo(volume.getName());
              assertThat(m.getMountPath()).isEqualTo("/etc/fastvm/console-proxy-tls");
              assertThat(m.getReadOnly()).isTrue();
            });
    assertThat(chart.get(Deployment.class, "fastvm-console-proxy").getMetadata().getNamespace())
        .isEqualTo(RenderedChart.NAMESPACE);
  }

  /** docs/console.md: TokenReview, SubjectAccessReview, VM and pod look-ups, its signing key. */
  @Test
  void consoleProxyGetsOnlyWhatItNeeds() {
    RenderedChart chart = RenderedChart.render(Map.of());
    List<PolicyRule> rules = chart.get(ClusterRole.class, "fastvm-console-proxy").getRules();
    assertThat(grants(rules, "authentication.k8s.io", "tokenreviews", "create")).isTrue();
    assertThat(grants(rules, "authorization.k8s.io", "subjectaccessreviews", "create")).isTrue();
    assertThat(grants(rules, "fastvm.io", "virtualmachines", "get")).isTrue();
    assertThat(grants(rules, "", "pods", "get")).isTrue();
    assertThat(grants(rules, "", "secrets", "get")).as("no Secrets cluster-wide").isFalse();
    assertThat(grants(rules, "fastvm.io", "virtualmachines", "list")).isFalse();

    Container proxy = container(chart, "fastvm-console-proxy");
    assertThat(proxy.getImage()).isEqualTo("ghcr.io/fastvm/console-proxy:" + TAG);
    assertThat(env(proxy, "FASTVM_CONSOLE_LINK_TTL")).contains("60s");
    assertThat(env(proxy, "FASTVM_CONSOLE_SESSION_IDLE_LIMIT")).contains("15m");
    assertThat(env(proxy, "FASTVM_CONSOLE_BACKEND_TLS_DIR"))
        .contains("/etc/fastvm/console-proxy-tls");
    assertThat(chart.find(Ingress.class, "fastvm-console-proxy")).isEmpty();
  }

  @Test
  void consoleProxyBehindAnIngressTrustsItsHeadersAndKnowsItsUrl() {
    RenderedChart chart =
        RenderedChart.render(
            Map.of(
                "consoleProxy.ingress.enabled", "true",
                "consoleProxy.ingress.host", "console.lab.example",
                "consoleProxy.publicUrl", "https://console.lab.example"));
    Ingress ingress = chart.get(Ingress.class, "fastvm-console-proxy");
    assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("console.lab.example");
    Container proxy = container(chart, "fastvm-console-proxy");
    assertThat(env(proxy, "FASTVM_CONSOLE_PUBLIC_URL")).contains("https://console.lab.example");
    assertThat(env(proxy, "FASTVM_CONSOLE_TRUST_FORWARDED_HEADERS")).contains("true");
  }

  @Test
  void consoleProxyCanBeLeftOut() {
    RenderedChart chart = RenderedChart.render(Map.of("consoleProxy.enabled", "false"));
    assertThat(chart.objects())
        .noneMatch(o -> o.getMetadata().getName().startsWith("fastvm-console-proxy"));
    assertThat(chart.find(Deployment.class, "fastvm-operator")).isPresent();
  }

  /**
   * docs/node-agent.md: privileged (it opens the host's devices), host paths only for /dev, the
   * kubelet's device plugin folder and (read-only) its pod folder; RBAC to read pods and to write
   * VMs' status, nothing more.
   */
  @Test
  void nodeAgentRunsOnEveryNodeWithOnlyTheHostPathsItNeeds() {
    RenderedChart chart =
        RenderedChart.render(
            Map.of("nodeAgent.deviceSlots", "250", "nodeAgent.nodeSelector.fastvm\\.io/vms", "on"));
    DaemonSet agent = chart.get(DaemonSet.class, "fastvm-node-agent");
    PodSpec pod = agent.getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ghcr.io/fastvm/node-agent:" + TAG);
    assertThat(container.getCommand()).containsExactly("/usr/local/bin/fastvm-node-agent");
    assertThat(container.getArgs())
        .contains("--device-plugin-dir=/var/lib/kubelet/device-plugins", "--device-slots=250");
    assertThat(container.getArgs()).contains("--node-name=$(NODE_NAME)", "--guest-poll-seconds=2");
    assertThat(container.getSecurityContext().getPrivileged()).isTrue();
    // The image runs as the VM pods' user; a privileged non-root process has no capabilities.
    assertThat(container.getSecurityContext().getRunAsUser()).isZero();
    assertThat(pod.getHostPID())
        .as("VM pods' processes, for metrics and network namespaces")
        .isTrue();
    assertThat(pod.getServiceAccountName()).isEqualTo("fastvm-node-agent");
    assertThat(
            container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/var/lib/kubelet/pods"))
                .findFirst()
                .orElseThrow()
                .getReadOnly())
        .isTrue();
    List<PolicyRule> rules = chart.get(ClusterRole.class, "fastvm-node-agent").getRules();
    assertThat(grants(rules, "", "pods", "watch")).isTrue();
    assertThat(grants(rules, "fastvm.io", "virtualmachines/status", "patch")).isTrue();
    assertThat(grants(rules, "fastvm.io", "virtualmachines", "patch"))
        .as("spec untouched")
        .isFalse();
    assertThat(grants(rules, "", "secrets", "get")).isFalse();
    assertThat(grants(rules, "", "nodes", "patch")).as("its node's labels").isTrue();
    assertThat(grants(rules, "", "nodes", "delete")).isFalse();
    assertThat(pod.getNodeSelector()).containsExactly(Map.entry("fastvm.io/vms", "on"));
    assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(
            pod.getVolumes().stream()
                .filter(v -> v.getHostPath() != null)
                .map(v -> v.getHostPath().getPath()))
        .containsExactlyInAnyOrder(
            "/dev", "/var/lib/kubelet/device-plugins", "/var/lib/kubelet/pods");
    assertThat(agent.getSpec().getSelector().getMatchLabels())
        .isEqualTo(
            Map.of(
                "app.kubernetes.io/name",
                "fastvm-node-agent",
                "app.kubernetes.io/instance",
                agent.getMetadata().getLabels().get("app.kubernetes.io/instance")));

    assertThat(
            RenderedChart.render(Map.of("nodeAgent.enabled", "false"))
                .find(DaemonSet.class, "fastvm-node-agent"))
        .isEmpty();
  }

  @Test
  void nodeAgentRenewsItsHeartbeatLeaseInTheReleaseNamespaceOnly() {
    RenderedChart chart = RenderedChart.render(Map.of());
    Container container =
        chart
            .get(DaemonSet.class, "fastvm-node-agent")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(container.getEnv())
        .filteredOn(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null)
        .extracting(e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
        .contains("POD_NAMESPACE=metadata.namespace", "POD_NAME=metadata.name");
    Role heartbeat = chart.get(Role.class, "fastvm-node-agent-heartbeat");
    assertThat(heartbeat.getMetadata().getNamespace())
        .isEqualTo(chart.get(DaemonSet.class, "fastvm-node-agent").getMetadata().getNamespace());
    assertThat(grants(heartbeat.getRules(), "coordination.k8s.io", "leases", "update")).isTrue();
    assertThat(grants(heartbeat.getRules(), "coordination.k8s.io", "leases", "delete")).isFalse();
    assertThat(
            grants(
                chart.get(ClusterRole.class, "fastvm-node-agent").getRules(),
                "coordination.k8s.io",
                "leases",
                "update"))
        .as("no Leases of other namespaces")
        .isFalse();
  }

  @Test
  void nodeAgentMetricsAreServedAndMonitoringObjectsComeOnRequest() throws IOException {
    RenderedChart chart = RenderedChart.render(Map.of());
    PodSpec pod = chart.get(DaemonSet.class, "fastvm-node-agent").getSpec().getTemplate().getSpec();
    assertThat(pod.getHostPID()).as("QEMU's /proc entries").isTrue();
    assertThat(pod.getContainers().get(0).getArgs()).contains("--metrics-port=9464");
    assertThat(pod.getContainers().get(0).getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(9464));
    Service service = chart.get(Service.class, "fastvm-node-agent-metrics");
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getSpec().getSelector())
        .containsEntry("app.kubernetes.io/name", "fastvm-node-agent");
    assertThat(chart.find(GenericKubernetesResource.class, "fastvm-node-agent")).isEmpty();
    assertThat(chart.find(ConfigMap.class, "fastvm-dashboard")).isEmpty();

    RenderedChart monitored =
        RenderedChart.render(
            Map.of(
                "monitoring.serviceMonitors.enabled", "true",
                "monitoring.serviceMonitors.labels.release", "prom",
                "monitoring.dashboard.enabled", "true"));
    GenericKubernetesResource monitor =
        monitored.get(GenericKubernetesResource.class, "fastvm-node-agent");
    assertThat(monitor.getKind()).isEqualTo("ServiceMonitor");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prom");
    ConfigMap dashboard = monitored.get(ConfigMap.class, "fastvm-dashboard");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(dashboard.getData().get("fastvm-vms.json")))
        .isEqualTo(
            json.readTree(RenderedChart.CHART.resolve("dashboards/fastvm-vms.json").toFile()));
  }

  @Test
  void userRolesAggregateIntoTheBuiltInRolesAndOnlyEditorsOpenConsoles() {
    RenderedChart chart = RenderedChart.render(Map.of());
    ClusterRole view = chart.get(ClusterRole.class, "fastvm-view");
    ClusterRole edit = chart.get(ClusterRole.class, "fastvm-edit");
    ClusterRole admin = chart.get(ClusterRole.class, "fastvm-admin");
    assertThat(view.getMetadata().getLabels())
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-view", "true");
    assertThat(edit.getMetadata().getLabels())
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true");
    assertThat(admin.getMetadata().getLabels())
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-admin", "true");
    assertThat(grants(view.getRules(), "fastvm.io", "virtualmachines/console", "get")).isFalse();
    assertThat(grants(edit.getRules(), "fastvm.io", "virtualmachines/console", "get")).isTrue();
    assertThat(grants(admin.getRules(), "fastvm.io", "virtualmachines/console", "get")).isTrue();
    assertThat(grants(view.getRules(), "fastvm.io", "virtualmachines", "delete")).isFalse();
  }

  private static Container container(RenderedChart chart, String deployment) {
    return chart
        .get(Deployment.class, deployment)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  private static boolean grants(
      List<PolicyRule> rules, String group, String resource, String verb) {
    return rules.stream()
        .anyMatch(
            r ->
                r.getApiGroups().contains(group)
                    && r.getResources().contains(resource)
                    && (r.getResourceNames() == null || r.getResourceNames().isEmpty())
                    && (r.getVerbs().contains(verb) || r.getVerbs().contains("*")));
  }

  private static Optional<String> env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst();
  }

  private static Map<String, String> yamlFiles(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : list.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        files.put(file.getFileName().toString(), Files.readString(file));
      }
    }
    return files;
  }
}
