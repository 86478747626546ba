package io.fastvm.node.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.PodTaps;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.SerialShell;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestLan;
import io.fastvm.node.testing.TestNetns;
import io.fastvm.node.testing.TestVm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridge networks end to end on this machine: two real guests (busybox, under TCG), each launched
 * as in a VM pod without any capability in a network namespace made as a pod's, whose Multus
 * interface {@code net0} is a port of one LAN bridge ({@link TestLan}). {@link PodBridges} plumbs
 * each namespace from outside as the node agent does (the first launcher is already waiting for its
 * tap), and the guests, with their own MACs and addresses on the LAN, reach each other.
 */
class BridgeGuestTest {
  static final String MAC_A = "52:54:00:12:34:70";
  static final String MAC_B = "52:54:00:12:34:71";
  @TempDir Path tmp;

  @BeforeAll
  static void available() {
    TestNetns.assumeAvailable();
  }

  @Test
  void twoGuestsOnBridgeNetworksReachEachOtherWithTheirOwnMacs() throws Exception {
    TestBudget budget = TestBudget.of(Duration.ofMinutes(6), "two busybox boots under TCG");
    GuestImage guest = TestGuests.interactiveGuest();
    PodBridges agent = new PodBridges();
    try (TestLan lan = TestLan.create()) {
      String podA = lan.pod();
      String podB = lan.pod();
      TestVm a = vm(tmp.resolve("a"), guest, "guest-a", MAC_A);
      TestVm b = vm(tmp.resolve("b"), guest, "guest-b", MAC_B);
      try (LauncherProcess launcherA = start(podA, a)) {
        // A pod's launcher waits for the tap the node agent makes once Multus added net0.
        launcherA.awaitLine("waiting for the node agent to make tap " + PodTaps.tap(0), budget);
        assertThat(agent.plumb(TestLan.netns(podA), List.of(0), 0).done()).isFalse();
        assertThat(agent.plumb(TestLan.netns(podA), List.of(0), 0).done())
            .as("a second round in a plumbed pod")
            .isTrue();
        agent.plumb(TestLan.netns(podB), List.of(0), 0);
        try (LauncherProcess launcherB = start(podB, b)) {
          for (LauncherProcess launcher : List.of(launcherA, launcherB)) {
            launcher.awaitLine("network lan: bridged through tap " + PodTaps.tap(0), budget);
            launcher.awaitLine(TestGuests.READY, budget);
            long qemu = launcher.qemuPid().orElseThrow(() -> new AssertionError("no QEMU pid"));
            assertThat(TestLan.effectiveCapabilities(qemu))
                .as("QEMU's effective capabilities")
                .isEqualTo("0000000000000000");
          }
          try (SerialShell serialA = SerialShell.connect(launcherA, a.runtimeDir());
              SerialShell serialB = SerialShell.connect(launcherB, b.runtimeDir())) {
            serialA.run(SerialShell.address("192.168.77.10/24"), budget);
            serialB.run(SerialShell.address("192.168.77.11/24"), budget);
            serialA.run("[ $(cat /sys/class/net/eth0/address) = " + MAC_A + " ]", budget);
            serialA.run("ping -c 1 -W 5 192.168.77.11", budget);
            serialA.run("grep -q " + MAC_B + " /proc/net/arp", budget);
            serialB.run("grep -q " + MAC_A + " /proc/net/arp", budget);
          }
          // A group and no owner: opened by the pod's group.
          assertThat(TestLan.tapOwner(podA, PodTaps.tap(0))).isEqualTo("-1:0");
          // The LAN saw the guests' own MACs, not the pods'.
          assertThat(lan.forwardingDatabase()).contains(MAC_A).contains(MAC_B);

          for (LauncherProcess launcher : List.of(launcherA, launcherB)) {
            launcher.awaitLine("power-button watching", budget);
            launcher.signal("TERM");
            assertThat(launcher.awaitExit(budget))
                .isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
          }
        }
      }
    }
  }

  private static TestVm vm(Path dir, GuestImage guest, String name, String mac) throws Exception {
    return new TestVm(Files.createDirectories(dir))
        .kernelBoot(guest)
        .manifest(
            TestVm.kernelBootVm(
                name,
                "256Mi",
                "console=ttyS0 quiet",
                """
                display: {type: none}
                networks:
                  - {name: lan, type: bridge, networkAttachment: lan, macAddress: "%s"}"""
                    .formatted(mac)));
  }

  /** The launcher as a VM pod runs it: in the pod's namespace, without capabilities. */
  private static LauncherProcess start(String pod, TestVm vm) throws Exception {
    return LauncherProcess.start(
        TestLan.asVmPod(pod), vm.podInvocation(null).toArgs(), vm.runtimeDir(), Map.of());
  }
}
