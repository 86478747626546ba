package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.RunStrategy;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.contract.PodLayout;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.ContractLauncher;
import io.fastvm.operator.testing.FakeKubelet;
import io.fastvm.operator.testing.PodExecution;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator/launcher contract, operator side: the Pod the operator created in the API server
 * (the mock or a real one, see the subclasses) is executed locally — its command and arguments,
 * with its volume mounts mapped to temporary folders ({@link PodExecution}) — by {@link
 * ContractLauncher}, which checks what the pod hands the launcher. The test then plays the kubelet:
 * it reports the pod Running and Ready, sees the VM Running, stops the container with SIGTERM,
 * reports its exit and termination message, and sees the VM Stopped.
 */
abstract class PodContractScenario {

  /** The cluster of one test: a new mock server, or a real server with fresh namespaces. */
  abstract TestCluster newCluster();

  @TempDir Path tmp;

  @Test
  void theOperatorsPodRunsLocallyWithItsMountsAndTheVmFollowsItsLifecycle() throws Exception {
    try (TestCluster cluster = newCluster();
        RunningOperator operator =
            RunningOperator.start(cluster.client(), OperatorSettings.defaults());
        FakeKubelet kubelet = FakeKubelet.manual(cluster)) {
      KubernetesClient client = cluster.client();
      for (String name : new String[] {"root", "iso"}) {
        Volume volume = client.resource(TestVms.volume(name)).create();
        volume.setStatus(TestVms.readyStatus(name + "-pvc"));
        client.resource(volume).updateStatus();
      }
      client.resource(TestVms.cloudInit("init")).create();
      client
          .resource(
              TestVms.newVm(
                  "contract",
                  TestVms.spec()
                      .runStrategy(RunStrategy.RERUN_ON_FAILURE)
                      .disk("root", "root")
                      .cdrom("iso", "iso")
                      .uefiWithTpm()
                      .cloudInit("init")
                      .natWithSsh()
                      .build()))
          .create();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> client.pods().inNamespace(TestVms.NS).list().getItems().size() == 1);
      Pod pod = client.pods().inNamespace(TestVms.NS).list().getItems().get(0);
      String name = pod.getMetadata().getName();

      Path image = Files.writeString(tmp.resolve("image"), "a disk image");
      PodExecution run =
          PodExecution.prepare(
              pod,
              tmp.resolve("pod"),
              Map.of(
                  "root-pvc", Map.of("disk.img", image),
                  "iso-pvc", Map.of("disk.img", image),
                  "contract-state", Map.of()),
              // The VM's seed as the operator wrote it (read from the API server like a kubelet).
              Map.of(),
              client);
      Process launcher =
          run.command(ContractLauncher.class.getName())
              .redirectError(tmp.resolve("launcher.stderr").toFile())
              .start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream()));
        String line = out.readLine();
        assertThat(line)
            .as("launcher output; termination log: " + Files.readString(run.terminationLog()))
            .isEqualTo(ContractLauncher.READY_LINE);
        // What the readiness probe (test -f <runtime>/ready) checks.
        assertThat(run.dir(PodLayout.RUNTIME_DIR).resolve(RuntimeDir.READY_FILE)).exists();

        kubelet.run(TestVms.NS, name, true);
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> printable(client) == PrintableStatus.RUNNING);

        // Graceful stop: the kubelet sends SIGTERM, the launcher powers the guest off, exits 0.
        launcher.toHandle().destroy(); // SIGTERM, leaving our end of its stdout open
        assertThat(launcher.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(launcher.exitValue()).isZero();
        assertThat(out.readLine()).isEqualTo("CONTRACT-LAUNCHER powered off");
        kubelet.exit(
            TestVms.NS, name, launcher.exitValue(), Files.readString(run.terminationLog()));
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> printable(client) == PrintableStatus.STOPPED);
      } finally {
        launcher.destroyForcibly();
      }
    }
  }

  private static PrintableStatus printable(KubernetesClient client) {
    VirtualMachine vm =
        client.resources(VirtualMachine.class).inNamespace(TestVms.NS).withName("contract").get();
    return vm.getStatus() == null ? null : vm.getStatus().printableStatus();
  }
}
