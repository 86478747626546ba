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
import java.time.Duration;
import java.util.function.Predicate;
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
  static final Duration COMMAND = Duration.ofSeconds(10);

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
            awaitFacts(agent, budget, f -> eth0(f).ipv4().contains(CloudGuestConfig.ADDRESS));
        assertThat(facts.hostname()).isEqualTo("box-agent");
        assertThat(facts.os().id()).isEqualTo("debian");
        assertThat(facts.os().version()).startsWith("12");
        assertThat(facts.os().kernel()).isEqualTo(kernel.kernelVersion());
        assertThat(eth0(facts).mac()).isEqualTo(mac);
        assertThat(eth0(facts).ipv4()).containsExactly(CloudGuestConfig.ADDRESS);

        GuestExec.run(agent, budget, "/usr/sbin/ip", "addr", "add", "10.0.2.60/24", "dev", "eth0");
        GuestFacts after = awaitFacts(agent, budget, f -> eth0(f).ipv4().contains("10.0.2.60/24"));
        assertThat(eth0(after).ipv4()).containsExactly(CloudGuestConfig.ADDRESS, "10.0.2.60/24");
      }
      launcher.signal("TERM");
      assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
    }
  }

  private static GuestFacts.Interface eth0(GuestFacts facts) {
    return facts.interfaces().stream()
        .filter(i -> i.name().equals("eth0"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no eth0 in " + facts));
  }

  /**
   * The agent starts some time after the guest's report (udev starts it when its port appears):
   * asks until the facts pass {@code test}.
   */
  private static GuestFacts awaitFacts(
      GuestAgentClient agent, TestBudget budget, Predicate<GuestFacts> test) throws Exception {
    Exception last = null;
    GuestFacts facts = null;
    while (true) {
      try {
        facts = GuestFactsReader.read(agent, COMMAND);
        if (facts.interfaces().stream().anyMatch(i -> i.name().equals("eth0"))
            && test.test(facts)) {
          return facts;
        }
      } catch (GuestAgentException e) {
        last = e; // not up yet
      }
      if (budget.left("the guest agent").compareTo(Duration.ofSeconds(1)) < 0) {
        throw new AssertionError("the guest agent never told; last facts " + facts, last);
      }
      Thread.sleep(200);
    }
  }
}
