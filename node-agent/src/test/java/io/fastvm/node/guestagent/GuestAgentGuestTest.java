package io.fastvm.node.guestagent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.node.guest.DebianDisk;
import io.fastvm.node.guest.DebianKernel;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.CloudGuest;
import io.fastvm.node.testing.CloudGuestConfig;
import io.fastvm.node.testing.GuestExec;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qemu-guest-agent in a real Debian 12 guest ({@link CloudGuest}, booted by the launcher under TCG)
 * answers on the launcher's guest agent socket: the guest's hostname, OS and kernel, and its NIC
 * with the MAC the VM gave it and the static address cloud-init set; an address added in the guest
 * afterwards shows up in the next answer.
 */
class GuestAgentGuestTest {
  @TempDir Path tmp;

  @BeforeAll
  static void guestAvailable() {
    CloudGuest.assumeAvailable();
  }

  @Test
  void theAgentReportsTheGuestAndAnAddressAddedLater() throws Exception {
    DebianDisk disk = CloudGuest.disk();
    GuestImage kernel = disk.kernel(DebianKernel.GENERIC);
    String mac = "52:54:00:12:34:57";
    CloudGuestConfig config = new CloudGuestConfig("box-agent");
    TestVm vm =
        CloudGuest.localVm(
            tmp, disk, kernel, kernel.cmdline() + " fastvm.keep-running", mac, config, "virtio");
    TestBudget budget = TestBudget.of(CloudGuest.BOOT, "a Debian boot with its guest agent");
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, budget);
      try (GuestAgentClient agent =
          GuestAgentClient.connect(vm.runtimeDir().resolve(RuntimeDir.GUEST_AGENT_SOCKET))) {
        GuestFacts facts =
            GuestExec.awaitFacts(
                agent, budget, f -> GuestExec.eth0(f).ipv4().contains(CloudGuestConfig.ADDRESS));
        assertThat(facts.hostname()).isEqualTo("box-agent");
        assertThat(facts.os().id()).isEqualTo("debian");
        assertThat(facts.os().version()).startsWith("12");
        assertThat(facts.os().kernel()).isEqualTo(kernel.kernelVersion());
        assertThat(GuestExec.eth0(facts).mac()).isEqualTo(mac);
        assertThat(GuestExec.eth0(facts).ipv4()).containsExactly(CloudGuestConfig.ADDRESS);

        GuestExec.run(agent, budget, "/usr/sbin/ip", "addr", "add", "10.0.2.60/24", "dev", "eth0");
        GuestFacts after =
            GuestExec.awaitFacts(
                agent, budget, f -> GuestExec.eth0(f).ipv4().contains("10.0.2.60/24"));
        assertThat(GuestExec.eth0(after).ipv4())
            .containsExactly(CloudGuestConfig.ADDRESS, "10.0.2.60/24");
      }
      launcher.signal("TERM");
      assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
    }
  }
}
