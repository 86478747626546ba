package io.fastvm.operator.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.MacAddresses;
import io.fastvm.contract.PodLayout;
import io.fastvm.node.guest.DebianDisk;
import io.fastvm.node.guest.DebianKernel;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.CloudGuest;
import io.fastvm.node.testing.CloudGuestConfig;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.CloudGuestPod;
import io.fastvm.operator.testing.PodExecution;
import io.fastvm.operator.testing.RealCluster;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import io.fastvm.operator.vm.VmNames;
import io.fastvm.testcluster.RealApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cluster path of cloud-init, end to end on a real kube-apiserver (dev/kube): the operator
 * reconciles a CloudInitConfig and its password Secret, writes the VM's seed Secret ({@code
 * <vm>-seed}) with the MAC it gave the VM's NIC, and creates the VM pod; the pod runs locally as a
 * kubelet would run it ({@link PodExecution}: the seed Secret's keys as files in its mount, the
 * Volumes' PVCs as folders), so the real launcher attaches the seed on the default bus (virtio) and
 * boots a real Debian 12 guest with real cloud-init ({@link CloudGuest}) under TCG, once with each
 * of Debian's kernels: the cloud kernel has no AHCI, so a SATA seed would be invisible to it. The
 * guest must become what the config says; its password hash must verify.
 *
 * <p>Only on the real API server: the operator's reconciling on the mock server is {@link
 * CloudInitMockServerTest}, and each boot takes minutes.
 */
@ExtendWith(RealApiServer.class)
class CloudInitLauncherContractRealServerTest {
  static final String NS = TestVms.NS;

  @TempDir Path tmp;

  @BeforeAll
  static void guestAvailable() {
    CloudGuest.assumeAvailable();
  }

  @ParameterizedTest(name = "{0} kernel")
  @ValueSource(strings = {DebianKernel.CLOUD, DebianKernel.GENERIC})
  void theOperatorsSeedSecretMakesARealGuestWhatTheConfigSays(String flavour) throws Exception {
    DebianDisk disk = CloudGuest.disk();
    GuestImage kernel = disk.kernel(flavour);
    String vmName = "ci-" + flavour;
    CloudGuestConfig config = new CloudGuestConfig("box-" + flavour);
    try (TestCluster cluster = RealCluster.fresh(RealApiServer.plane(), NS);
        RunningOperator operator =
            RunningOperator.start(cluster.client(), OperatorSettings.defaults())) {
      KubernetesClient client = cluster.client();
      Pod pod =
          CloudGuestPod.create(
              client, NS, config, disk, CloudGuestPod.vm(vmName, NS, kernel.cmdline()));
      Secret seed =
          client
              .secrets()
              .inNamespace(NS)
              .withName(
                  VmNames.cloudInitSeedSecret(
                      client
                          .resources(VirtualMachine.class)
                          .inNamespace(NS)
                          .withName(vmName)
                          .get()))
              .get();
      assertThat(seed).as("the VM's seed Secret, written before its pod").isNotNull();
      assertThat(decoded(seed)).doesNotContain(CloudGuestConfig.PASSWORD);

      PodExecution run = CloudGuestPod.prepare(pod, tmp, disk, kernel, client);
      assertThat(run.args()).anyMatch(a -> a.startsWith("--cloud-init-seed="));

      TestBudget budget =
          TestBudget.of(CloudGuest.BOOT, "a Debian boot to cloud-init's end (" + flavour + ")");
      try (LauncherProcess launcher =
          LauncherProcess.start(run.args(), run.dir(PodLayout.RUNTIME_DIR), java.util.Map.of())) {
        launcher.awaitLine(TestGuests.READY, budget);
        List<String> report = launcher.guestLines();
        CloudGuestConfig.logBootTime(flavour + " kernel, operator's seed", budget, report);
        config.assertReported(report, MacAddresses.stable(NS, vmName, "default"), "/dev/vd[b-z]");
        assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
      }
    }
  }

  private static String decoded(Secret secret) {
    StringBuilder all = new StringBuilder();
    secret
        .getData()
        .values()
        .forEach(
            v -> all.append(new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return all.toString();
  }
}
