package io.fastvm.console.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.console.testing.ProxyHarness;
import io.fastvm.console.testing.QemuGuest;
import io.fastvm.console.testing.RfbViewer;
import io.fastvm.node.testing.TestGuests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * "Several people may watch one VM at once", against a real QEMU: QEMU serves VNC with its default
 * sharing policy (a client asking for exclusive access makes QEMU drop every other client), and the
 * proxy sets the ClientInit shared flag on for every viewer. So viewers keep getting the screen
 * whatever their client asks for. Every viewer here completes the RFB handshake through the proxy
 * and QEMU and reads whole FramebufferUpdates; a viewer QEMU dropped fails the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedVncTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  Path dir;
  ProxyHarness harness;
  QemuGuest guest;

  @BeforeAll
  void start() throws Exception {
    String missing = QemuGuest.missingPrerequisite();
    if (missing != null && !"true".equals(System.getenv("CI"))) {
      Assumptions.abort("skipped: " + missing + " (dev/install-deps installs it)");
    }
    dir = Files.createTempDirectory("fastvm-console-shared-vnc-");
    harness = ProxyHarness.start(dir.resolve("proxy"));
    for (String user : List.of("alice", "bob", "carol")) {
      harness.cluster.user(user + "-token", user);
      harness.cluster.grant(user, ProxyHarness.NAMESPACE, "vm1");
    }
    harness.vm("vm1", "127.0.0.1", false, "vm1");
    guest = QemuGuest.boot(harness.runtimeDir("vm1"), Files.createDirectories(dir.resolve("qemu")));
  }

  @AfterAll
  void stop() {
    if (guest != null) {
      guest.close();
    }
    if (harness != null) {
      harness.close();
    }
    if (dir != null) {
      try {
        TestGuests.deleteTree(dir);
      } catch (IOException e) {
        // leave it for the OS
      }
    }
  }

  RfbViewer viewer(String user, boolean shared) throws Exception {
    RfbViewer viewer = new RfbViewer(user);
    harness.webSocket(harness.session(user + "-token", "vm1", "vnc", false), "vnc", viewer);
    return viewer.handshake(shared, WAIT);
  }

  @Test
  void viewersShareTheScreenEvenWhenOneAsksForExclusiveAccess() throws Exception {
    RfbViewer alice = viewer("alice", true);
    RfbViewer bob = viewer("bob", true);
    try {
      // Both completed ClientInit and are connected at once; both get the screen.
      assertThat(alice.width()).isEqualTo(720);
      assertThat(alice.requestAndReadUpdate(WAIT)).isPositive();
      assertThat(bob.requestAndReadUpdate(WAIT)).isPositive();
      assertThat(alice.requestAndReadUpdate(WAIT)).isPositive();
      assertThat(guest.vncClients()).isEqualTo(2);

      // Carol's client asks for exclusive access (shared flag 0), which would make QEMU drop
      // alice and bob when it reads her ClientInit. The proxy makes it a shared request.
      RfbViewer carol = viewer("carol", false);
      try {
        assertThat(carol.requestAndReadUpdate(WAIT)).isPositive();
        // QEMU answered carol after acting on her ClientInit: alice and bob are still there.
        assertThat(alice.requestAndReadUpdate(WAIT)).isPositive();
        assertThat(bob.requestAndReadUpdate(WAIT)).isPositive();
        assertThat(guest.vncClients()).isEqualTo(3);
      } finally {
        carol.close();
      }
    } finally {
      alice.close();
      bob.close();
    }
  }
}
