package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.PodLayout;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.contract.console.EndpointProtocol;
import io.fastvm.contract.console.TlsMaterial;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.EndpointProbe;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.console.ConsoleTlsSecrets;
import io.fastvm.operator.testing.FakeKubelet;
import io.fastvm.operator.testing.PodExecution;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract between operator and launcher, end to end: the Pod the operator created in the API
 * server (the mock or a real one, see the subclasses) is executed locally by the real launcher —
 * the pod's command {@code fastvm-launcher} is the node-agent's launcher main class in its own JVM,
 * its arguments as the pod has them with each volume mount mapped to a temporary folder ({@link
 * PodExecution}): the downward-API manifest file written from the pod's annotation, the test
 * guest's kernel and initrd copied into their Volumes' PVC folders, emptyDirs for runtime, tmp and
 * state. A tiny Debian guest boots under TCG; the test then reports the pod Running and Ready to
 * the API server, sees the VM Running, stops the container (SIGTERM: the launcher powers the guest
 * off and exits 0), reports the pod Succeeded and sees the VM Stopped. QEMU is never left behind:
 * {@link LauncherProcess#close()} stops it by the pid file in this test's runtime dir. The nat NIC
 * forwards no ports here: in a pod the launcher binds them on 0.0.0.0, which on this shared machine
 * would be the host's own ports.
 */
abstract class LauncherContractScenario {

  /** The cluster of one test: a new mock server, or a real server with fresh namespaces. */
  abstract TestCluster newCluster();

  static final Duration BOOT = Duration.ofMinutes(4);

  @TempDir Path tmp;

  @Test
  void theOperatorsPodBootsARealGuestWithTheLauncher() throws Exception {
    GuestImage guest = TestGuests.kernelBootGuest();
    try (TestCluster cluster = newCluster();
        RunningOperator operator =
            RunningOperator.start(cluster.client(), OperatorSettings.defaults());
        FakeKubelet kubelet = FakeKubelet.manual(cluster)) {
      KubernetesClient client = cluster.client();
      TestVms.createKernelBootVolumes(client);
      VirtualMachine vm =
          client
              .getKubernetesSerialization()
              .unmarshal(
                  """
                  apiVersion: fastvm.io/v1alpha1
                  kind: VirtualMachine
                  metadata: {name: contract, namespace: %s}
                  spec:
                    runStrategy: RerunOnFailure
                    accelerator: tcg
                    cpu: {cores: 2, model: qemu64}
                    memory: 320Mi
                    terminationGracePeriodSeconds: 60
                    kernelBoot: {kernel: kernel, initrd: initrd, cmdline: '%s'}
                    networks: [{name: default, type: nat}]
                    display: {type: none}
                  """
                      .formatted(TestVms.NS, guest.cmdline()),
                  VirtualMachine.class);
      client.resource(vm).create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.pods().inNamespace(TestVms.NS).list().getItems().size() == 1);
      Pod pod = client.pods().inNamespace(TestVms.NS).list().getItems().get(0);
      String name = pod.getMetadata().getName();

      PodExecution run = PodExecution.kernelBoot(pod, tmp.resolve("pod"), guest, client);
      Path runtime = run.dir(PodLayout.RUNTIME_DIR);
      try (LauncherProcess launcher = LauncherProcess.start(run.args(), runtime, Map.of())) {
        launcher.awaitLine(TestGuests.READY, BOOT);
        assertThat(launcher.guestLines()).contains("cpus=2");
        // What the pod's readiness probe checks: test -f <runtime dir>/ready.
        assertThat(runtime.resolve(RuntimeDir.READY_FILE)).exists();
        assertConsoleEndpointServesTheProxyOnly(
            client, launcher.awaitConsolePort(Duration.ofSeconds(30)));

        kubelet.run(TestVms.NS, name, true);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> printable(client) == PrintableStatus.RUNNING);

        launcher.awaitLine("power-button watching", BOOT);
        launcher.signal("TERM");
        int exit = launcher.awaitExit(Duration.ofMinutes(2));
        assertThat(exit).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
        kubelet.exit(TestVms.NS, name, exit, Files.readString(run.terminationLog()));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> printable(client) == PrintableStatus.STOPPED);
      }
    }
  }

  /**
   * The pod's console endpoint, with the certificates the operator issued: the proxy's client
   * certificate (its Secret) opens the serial console of a server certified as this very VM; the
   * VM's own certificate (same CA, another identity) is refused.
   */
  private static void assertConsoleEndpointServesTheProxyOnly(KubernetesClient client, int port)
      throws Exception {
    TlsMaterial proxy = material(client, ConsoleTlsSecrets.PROXY_SECRET);
    try (SSLSocket socket = connect(proxy, port)) {
      X509Certificate server = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      assertThat(ConsoleIdentities.uris(server))
          .containsExactly(ConsoleIdentities.endpoint(TestVms.NS, "contract"));
      socket.getOutputStream().write(EndpointProtocol.request(ConsoleChannel.SERIAL));
      String seen = readUntil(socket.getInputStream(), TestGuests.READY);
      assertThat(seen).startsWith("OK\n");
    }
    // Same CA, but the VM's own certificate is a server certificate, not the proxy's client
    // identity: the endpoint ends the handshake with an alert (EndpointProbe fails the test on a
    // timeout or an answer).
    TlsMaterial vmItself = material(client, "contract-console-tls");
    assertThat(
            EndpointProbe.refusal(
                EndpointProbe.presenting(vmItself),
                new java.net.InetSocketAddress("127.0.0.1", port),
                EndpointProtocol.request(ConsoleChannel.SERIAL)))
        .isEqualTo("alert certificate_unknown");
  }

  private static TlsMaterial material(KubernetesClient client, String secretName) {
    var secret =
        client.secrets().inAnyNamespace().list().getItems().stream()
            .filter(s -> s.getMetadata().getName().equals(secretName))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Secret " + secretName));
    return new TlsMaterial(
        ConsoleTlsSecrets.value(secret, TlsMaterial.CERT_FILE).orElseThrow(),
        ConsoleTlsSecrets.value(secret, TlsMaterial.KEY_FILE).orElseThrow(),
        ConsoleTlsSecrets.value(secret, TlsMaterial.CA_FILE).orElseThrow());
  }

  private static SSLSocket connect(TlsMaterial client, int port) throws Exception {
    SSLSocket socket =
        (SSLSocket) client.sslContext().getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    socket.startHandshake();
    return socket;
  }

  private static String readUntil(java.io.InputStream in, String marker) throws Exception {
    java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
    while (!seen.toString(java.nio.charset.StandardCharsets.UTF_8).endsWith(marker)) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.IOException("closed before " + marker + ": " + seen);
      }
      seen.write(b);
    }
    return seen.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static PrintableStatus printable(KubernetesClient client) {
    VirtualMachine vm =
        client.resources(VirtualMachine.class).inNamespace(TestVms.NS).withName("contract").get();
    return vm.getStatus() == null ? null : vm.getStatus().printableStatus();
  }
}
