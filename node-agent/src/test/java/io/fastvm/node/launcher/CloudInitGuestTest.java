package io.fastvm.node.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.node.guest.DebianDisk;
import io.fastvm.node.guest.DebianKernel;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.CloudGuest;
import io.fastvm.node.testing.CloudGuestConfig;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cloud-init 22.4 in a real Debian 12 guest ({@link CloudGuest}) booted by the launcher in its own
 * JVM under TCG, on the {@code fastvm run} path: the launcher renders the CloudInitConfig itself,
 * and the guest becomes what it says (hostname, a sudo user with an SSH key and a password, a
 * static address, gateway and nameserver). The guest reports once cloud-init is done, then powers
 * itself off. The cluster path (the operator's seed Secret on a virtio disk, with each of Debian's
 * kernels) is the operator's CloudInitLauncherContractRealServerTest.
 */
class CloudInitGuestTest {

  @TempDir Path tmp;

  @BeforeAll
  static void guestAvailable() {
    CloudGuest.assumeAvailable();
  }

  /**
   * The seed is a SATA CD-ROM here (the generic kernel has AHCI). The NIC's MAC is all decimal
   * digits, which cloud-init's YAML 1.1 reads as a number unless the renderer quotes it.
   */
  @Test
  void theLaunchersOwnSeedOnASataCdromMakesTheGuestWhatTheConfigSays() throws Exception {
    DebianDisk disk = CloudGuest.disk();
    GuestImage kernel = disk.kernel(DebianKernel.GENERIC);
    String mac = "52:54:00:12:34:56";
    CloudGuestConfig config = new CloudGuestConfig("box-sata");
    TestVm vm = CloudGuest.localVm(tmp, disk, kernel, kernel.cmdline(), mac, config, "sata");
    TestBudget budget = TestBudget.of(CloudGuest.BOOT, "a Debian boot to cloud-init's end (sata)");
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, budget);
      List<String> report = launcher.guestLines();
      CloudGuestConfig.logBootTime("generic kernel, sata seed", budget, report);
      config.assertReported(report, mac, "/dev/sr0");
      assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
      assertThat(launcher.output()).contains("the guest powered off (guest-shutdown)");
    }
  }
}
