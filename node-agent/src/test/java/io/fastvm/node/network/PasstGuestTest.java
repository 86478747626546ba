package io.fastvm.node.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.NatBackend;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.node.guest.DebianDisk;
import io.fastvm.node.guest.DebianKernel;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.guestagent.GuestAgentClient;
import io.fastvm.node.guestagent.GuestFacts;
import io.fastvm.node.process.Executables;
import io.fastvm.node.testing.CloudGuest;
import io.fastvm.node.testing.GuestExec;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestNetns;
import io.fastvm.node.testing.TestVm;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nat through passt with a real Debian guest, the launcher run in a network namespace made as a
 * pod's ({@link TestNetns}): the guest gets the pod's address by DHCP, reaches a peer outside with
 * the pod's address as its source, and its SSH server answers on the pod's forwarded port from
 * outside the namespace. The guest → peer throughput is printed for docs/benchmarks.md, not
 * asserted.
 */
class PasstGuestTest {
  static final int MIB = 1 << 20;
  static final int SENT = 32 * MIB;

  @TempDir Path tmp;

  @BeforeAll
  static void available() {
    CloudGuest.assumeAvailable();
    TestNetns.assumeAvailable();
    Assumptions.assumeTrue(
        Executables.find("passt", "FASTVM_PASST").isPresent(),
        "skipped: needs passt (Debian package passt)");
  }

  @Test
  void theGuestGetsThePodsAddressReachesOutAndIsReachedOnItsForwardedPort() throws Exception {
    TestBudget budget = TestBudget.of(CloudGuest.BOOT.multipliedBy(2), "two Debian boots");
    try (TestNetns pod = TestNetns.create()) {
      double passt = run(pod, NatBackend.PASST, budget);
      double slirp = run(pod, NatBackend.SLIRP, budget);
      // For docs/benchmarks.md (measured, not asserted).
      System.out.printf(
          "guest -> peer, %d MiB under TCG: passt %.0f Mbit/s, slirp %.0f Mbit/s (%.1fx)%n",
          SENT / MIB, passt, slirp, passt / slirp);
    }
  }

  /**
   * Boots the guest in {@code pod} with nat on {@code backend}: its address (the pod's with passt,
   * slirp's own 10.0.2.15 without), the peer reached with the pod's address as the source, and on
   * slirp a server in the guest reached on the forwarded port from outside.
   *
   * @return the guest → peer throughput in Mbit/s
   */
  private double run(TestNetns pod, NatBackend backend, TestBudget budget) throws Exception {
    DebianDisk disk = CloudGuest.disk();
    GuestImage kernel = disk.kernel(DebianKernel.GENERIC);
    String mac = "52:54:00:12:34:60";
    String expected = backend == NatBackend.PASST ? pod.address() + "/24" : "10.0.2.15/24";
    Path dir = Files.createDirectories(tmp.resolve(backend.option()));
    try (ServerSocket peer = new ServerSocket()) {
      peer.bind(new InetSocketAddress(InetAddress.getByName(pod.peerAddress()), 0));
      CompletableFuture<Received> received = CompletableFuture.supplyAsync(() -> receive(peer));
      // passt cannot forward ports yet (NicPlanner says why): the way in is tried on slirp.
      boolean forwarded = backend == NatBackend.SLIRP;
      TestVm vm = vm(dir, disk, kernel, mac, forwarded);
      LauncherInvocation invocation = vm.podInvocation(backend);
      try (LauncherProcess launcher =
          LauncherProcess.start(
              pod.command(java.util.List.of()), invocation.toArgs(), vm.runtimeDir(), Map.of())) {
        launcher.awaitLine(TestGuests.READY, budget);
        Path socket = vm.runtimeDir().resolve(RuntimeDir.GUEST_AGENT_SOCKET);
        try (GuestAgentClient agent = GuestAgentClient.connect(socket)) {
          GuestFacts facts =
              GuestExec.awaitFacts(agent, budget, f -> GuestExec.eth0(f).ipv4().contains(expected));
          assertThat(GuestExec.eth0(facts).mac()).isEqualTo(mac);
        }

        // Out: the peer sees the pod's address.
        GuestExec.sendTcp(socket, budget, pod.peerAddress(), peer.getLocalPort(), SENT);
        Received got =
            received.get(budget.left("the peer's bytes").toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got.bytes()).isEqualTo(SENT);
        assertThat(got.from()).as("the source the peer sees").isEqualTo(pod.address());

        if (forwarded) {
          // In: a server in the guest on the pod's forwarded port, from outside the namespace.
          GuestExec.start(
              socket,
              "/usr/bin/python3",
              "-c",
              "import socket\n"
                  + "s = socket.create_server(('', 8080))\n"
                  + "c, a = s.accept()\n"
                  + "c.sendall(('hello from ' + a[0] + '\\n').encode())\n"
                  + "c.close()\n");
          assertThat(greeting(pod.peerAddress(), pod.address(), 8080, budget))
              .startsWith("hello from ");
        }

        launcher.signal("TERM");
        assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
        Path passtSocket = NicPlanner.passtSocket(vm.runtimeDir(), 0);
        assertThat(Files.exists(passtSocket))
            .as("passt's socket after the launcher ended")
            .isFalse();
        assertThat(
                ProcessHandle.allProcesses()
                    .filter(
                        p -> p.info().commandLine().orElse("").contains(passtSocket.toString())))
            .as("passt after the launcher ended")
            .isEmpty();
        return SENT * 8.0 / 1e6 / (Math.max(1, got.millis()) / 1000.0);
      }
    }
  }

  private static TestVm vm(
      Path dir, DebianDisk disk, GuestImage kernel, String mac, boolean forwarded)
      throws Exception {
    return CloudGuest.vm(
        dir,
        disk,
        kernel,
        kernel.cmdline() + " fastvm.keep-running",
        "{name: default, type: nat, macAddress: \"%s\", ports: %s}"
            .formatted(mac, forwarded ? "[{name: web, port: 8080}]" : "[]"),
        """
        apiVersion: fastvm.io/v1alpha1
        kind: CloudInitConfig
        metadata: {name: init, namespace: tests}
        spec:
          hostname: box-passt
          network: {mode: dhcp}
        """,
        "{name: init}");
  }

  /**
   * The first line from {@code host:port} to a client on {@code from}, asked until the guest's
   * server has started (before, the guest refuses and passt closes the connection at once).
   */
  private static String greeting(String from, String host, int port, TestBudget budget)
      throws Exception {
    while (true) {
      try (Socket socket = new Socket()) {
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(host, port), 10_000);
        socket.setSoTimeout(30_000);
        String line =
            new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        if (line != null) {
          return line;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      budget.left("the guest's server on port " + port);
      Thread.sleep(200);
    }
  }

  record Received(long bytes, String from, long millis) {}

  private static Received receive(ServerSocket peer) {
    try (Socket s = peer.accept();
        InputStream in = s.getInputStream()) {
      byte[] buffer = new byte[1 << 16];
      long total = 0;
      long started = 0;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (total == 0) {
          started = System.nanoTime();
        }
        total += n;
      }
      return new Received(
          total,
          ((InetSocketAddress) s.getRemoteSocketAddress()).getAddress().getHostAddress(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
