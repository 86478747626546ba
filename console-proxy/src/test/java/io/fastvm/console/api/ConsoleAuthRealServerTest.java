package io.fastvm.console.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.console.testing.ProxyHarness;
import io.fastvm.console.testing.WsClient;
import io.fastvm.node.testing.FakeConsoleSocket;
import io.fastvm.testcluster.ControlPlane;
import io.fastvm.testcluster.RealApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Console links against a <b>real</b> kube-apiserver (dev/kube) with the chart installed by Helm:
 * the proxy runs with the token of the chart's own ServiceAccount, and TokenReview and
 * SubjectAccessReview are answered by the server from the chart's aggregated roles. The editor
 * (Kubernetes' {@code edit} role in the VM's namespace) gets a link and a session; the viewer
 * ({@code view}) and a user with no rights are refused; so is a ServiceAccount of another
 * namespace, however much it may do there. Removing the editor's RoleBinding ends the session.
 */
@ExtendWith(RealApiServer.class)
class ConsoleAuthRealServerTest {
  static final String RELEASE_NS = "fastvm-system";
  static final String NS = ProxyHarness.NAMESPACE;
  static final Duration WAIT = Duration.ofSeconds(30);

  static ControlPlane plane;
  static KubernetesClient admin;
  static KubernetesClient proxyClient;
  static ProxyHarness harness;
  static String intruderToken;

  @BeforeAll
  static void install(ControlPlane shared, @TempDir Path dir) throws Exception {
    plane = shared;
    admin = plane.admin();
    plane.installChart(RELEASE_NS);
    for (String ns : new String[] {NS, "other"}) {
      admin
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .serverSideApply();
    }
    bind(NS, "editor-edits", "edit", "User", "editor", null);
    bind(NS, "viewer-views", "view", "User", "viewer", null);
    // A ServiceAccount that may edit everything in its own namespace, and nothing in NS.
    admin
        .serviceAccounts()
        .inNamespace("other")
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("intruder")
                .endMetadata()
                .build())
        .serverSideApply();
    bind("other", "intruder-edits", "edit", "ServiceAccount", "intruder", "other");
    intruderToken = plane.serviceAccountToken("other", "intruder");
    awaitAggregation();

    proxyClient =
        plane.clientWithToken(plane.serviceAccountToken(RELEASE_NS, "fastvm-console-proxy"));
    harness = ProxyHarness.startOnRealServer(dir, admin, proxyClient);
    harness.vm("vm1", "127.0.0.2", false, "vm1");
    vnc = new FakeConsoleSocket(harness.runtimeDir("vm1").resolve("vnc.sock"), RFB, false);
  }

  static final byte[] RFB = "RFB 003.008\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static FakeConsoleSocket vnc;

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
    if (vnc != null) {
      vnc.close();
    }
    if (proxyClient != null) {
      proxyClient.close();
    }
  }

  private static void bind(
      String ns, String name, String clusterRole, String kind, String subject, String subjectNs) {
    admin
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName(clusterRole)
                .endRoleRef()
                .addNewSubject()
                .withKind(kind)
                .withName(subject)
                .withNamespace(subjectNs)
                .withApiGroup(kind.equals("User") ? "rbac.authorization.k8s.io" : null)
                .endSubject()
                .build())
        .serverSideApply();
  }

  /** The chart's fastvm-edit rules reach Kubernetes' edit role once the aggregator ran. */
  private static void awaitAggregation() {
    admin
        .rbac()
        .clusterRoles()
        .withName("edit")
        .waitUntilCondition(
            role ->
                role != null
                    && role.getRules().stream()
                        .anyMatch(r -> r.getResources().contains("virtualmachines/console")),
            60,
            TimeUnit.SECONDS);
  }

  @Test
  void theEditorGetsALinkAndASessionAnsweredByTheRealServer() throws Exception {
    ProxyHarness.Redeemed session = harness.session(plane.token("editor"), "vm1", "vnc", false);
    assertThat(session.status()).isEqualTo(303);
    assertThat(harness.audit.await("mint", "ok").getString("user")).isEqualTo("editor");
  }

  @Test
  void theViewerTheUserWithoutRightsAndAnotherNamespacesServiceAccountAreRefused()
      throws Exception {
    assertThat(harness.mint(plane.token("viewer"), "vm1", "vnc", false).statusCode())
        .isEqualTo(403);
    assertThat(harness.mint(plane.token("nobody"), "vm1", "vnc", false).statusCode())
        .isEqualTo(403);
    assertThat(harness.mint(intruderToken, "vm1", "vnc", false).statusCode()).isEqualTo(403);
    // A token the server does not know is not a user at all.
    assertThat(harness.mint("not-a-token", "vm1", "vnc", false).statusCode()).isEqualTo(401);
  }

  @Test
  void removingTheRoleBindingEndsTheSession() throws Exception {
    // A user of its own (a ServiceAccount of NS), so no other test sees its rights change.
    admin
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("student").endMetadata().build())
        .serverSideApply();
    bind(NS, "student-edits", "edit", "ServiceAccount", "student", NS);
    ProxyHarness.Redeemed session =
        harness.session(plane.serviceAccountToken(NS, "student"), "vm1", "vnc", false);
    WsClient ws = harness.webSocket(session, "vnc");
    ws.awaitBinary(WAIT, b -> b.length == RFB.length);
    admin.rbac().roleBindings().inNamespace(NS).withName("student-edits").delete();
    assertThat(ws.awaitClose(WAIT)).isEqualTo(4004);
    harness.audit.await("end", "access-revoked");
  }
}
