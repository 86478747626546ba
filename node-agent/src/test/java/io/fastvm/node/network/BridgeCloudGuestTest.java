package io.fastvm.node.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.PodTaps;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.node.guest.DebianDisk;
import io.fastvm.node.guest.DebianKernel;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.guestagent.GuestAgentClient;
import io.fastvm.node.guestagent.GuestFacts;
import io.fastvm.node.testing.CloudGuest;
import io.fastvm.node.testing.GuestExec;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestLan;
import io.fastvm.node.testing.TestNetns;
import io.fastvm.node.testing.TestVm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Debian guest on a bridge NIC, launched as a VM pod in a namespace on a LAN bridge ({@link
 * TestLan}): cloud-init's static network config gives it its address on the LAN with the NIC's own
 * MAC, and it sends 32 MiB to a host on the LAN, as {@link PasstGuestTest} does to its peer on
 * passt and slirp. The throughput is printed for docs/benchmarks.md, not asserted.
 */
class BridgeCloudGuestTest {
  static final int MIB = 1 << 20;
  static final int SENT = 32 * MIB;
  static final String MAC = "52:54:00:12:34:90";
  static final String LAN_HOST = "192.168.77.1";
  static final String ADDRESS = "192.168.77.10/24";

  /** Counts what one connection sends; says when it listens, then "bytes source millis". */
  static final String RECEIVER =
      """
      import socket, sys, time
      s = socket.create_server(('%s', 5001))
      print('listening', flush=True)
      c, a = s.accept()
      n, t0 = 0, None
      while True:
          b = c.recv(65536)
          if not b:
              break
          if t0 is None:
              t0 = time.monotonic()
          n += len(b)
      print(n, a[0], int((time.monotonic() - t0) * 1000), flush=True)
      """
          .formatted(LAN_HOST);

  @TempDir Path tmp;

  @BeforeAll
  static void available() {
    CloudGuest.assumeAvailable();
    TestNetns.assumeAvailable();
  }

  @Test
  void cloudInitsStaticAddressOnABridgeNicReachesTheLan() throws Exception {
    TestBudget budget = TestBudget.of(CloudGuest.BOOT, "a Debian boot");
    DebianDisk disk = CloudGuest.disk();
    GuestImage kernel = disk.kernel(DebianKernel.GENERIC);
    try (TestLan lan = TestLan.create()) {
      String pod = lan.pod();
      lan.address(LAN_HOST + "/24");
      new PodBridges().plumb(TestLan.netns(pod), List.of(0), 0);
      Process receiver =
          new ProcessBuilder(lan.command(List.of("python3", "-c", RECEIVER)))
              .redirectErrorStream(true)
              .start();
      try {
        BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(receiver.getInputStream(), StandardCharsets.US_ASCII));
        assertThat(lines.readLine()).isEqualTo("listening");
        CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> line(lines));
        TestVm vm = vm(tmp, disk, kernel);
        try (LauncherProcess launcher =
            LauncherProcess.start(
                TestLan.asVmPod(pod), vm.podInvocation(null).toArgs(), vm.runtimeDir(), Map.of())) {
          launcher.awaitLine("network lan: bridged through tap " + PodTaps.tap(0), budget);
          launcher.awaitLine(TestGuests.READY, budget);
          Path socket = vm.runtimeDir().resolve(RuntimeDir.GUEST_AGENT_SOCKET);
          try (GuestAgentClient agent = GuestAgentClient.connect(socket)) {
            GuestFacts facts =
                GuestExec.awaitFacts(
                    agent, budget, f -> GuestExec.eth0(f).ipv4().contains(ADDRESS));
            assertThat(GuestExec.eth0(facts).mac()).isEqualTo(MAC);
          }
          GuestExec.sendTcp(socket, budget, LAN_HOST, 5001, SENT);
          String[] got =
              received
                  .get(budget.left("the LAN host's bytes").toMillis(), TimeUnit.MILLISECONDS)
                  .split(" ");
          assertThat(Long.parseLong(got[0])).isEqualTo(SENT);
          assertThat(got[1]).as("the source the LAN host sees").isEqualTo("192.168.77.10");
          // For docs/benchmarks.md (measured, not asserted).
          System.out.printf(
              "guest -> LAN host, %d MiB under TCG: bridge %.0f Mbit/s%n",
              SENT / MIB, SENT * 8.0 / 1e6 / (Math.max(1, Long.parseLong(got[2])) / 1000.0));

          launcher.signal("TERM");
          assertThat(launcher.awaitExit(budget))
              .isEqualTo(io.fastvm.contract.LauncherInvocation.ExitCode.POWERED_OFF);
        }
      } finally {
        receiver.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static String line(BufferedReader lines) {
    try {
      String line = lines.readLine();
      if (line == null) {
        throw new IllegalStateException("the LAN host's receiver ended without a count");
      }
      return line;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static TestVm vm(Path dir, DebianDisk disk, GuestImage kernel) throws Exception {
    return CloudGuest.vm(
        dir,
        disk,
        kernel,
        kernel.cmdline() + " fastvm.keep-running",
        "{name: lan, type: bridge, networkAttachment: lan, macAddress: \"%s\"}".formatted(MAC),
        """
        apiVersion: fastvm.io/v1alpha1
        kind: CloudInitConfig
        metadata: {name: init, namespace: tests}
        spec:
          hostname: box-bridge
          network: {mode: static, address: %s}
        """
            .formatted(ADDRESS),
        "{name: init}");
  }
}
