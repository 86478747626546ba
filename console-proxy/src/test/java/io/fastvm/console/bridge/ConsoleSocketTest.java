package io.fastvm.console.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.console.ConsoleProxy;
import io.fastvm.console.testing.Await;
import io.fastvm.console.testing.LogCapture;
import io.fastvm.console.testing.ProxyHarness;
import io.fastvm.console.testing.WsClient;
import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.node.testing.FakeConsoleSocket;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WebSocket side against the fabric8 mock API server and real mutual-TLS endpoints in front of
 * stand-in console sockets (no guest): refusals before the upgrade, the byte path for VNC and
 * serial, view-only, several viewers, and an endpoint that is not the VM's.
 */
class ConsoleSocketTest {
  static final byte[] RFB_GREETING = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  ProxyHarness harness;
  FakeConsoleSocket vnc;
  FakeConsoleSocket serial;

  @BeforeEach
  void start() throws Exception {
    harness =
        ProxyHarness.start(
            dir,
            Map.of(
                "FASTVM_CONSOLE_MAX_CONNECTIONS_PER_SESSION", "3",
                "FASTVM_CONSOLE_BACKEND_TLS_RELOAD_INTERVAL", "300ms"),
            Clock.systemUTC());
    for (String user : List.of("alice", "bob", "carol", "dave", "erin")) {
      harness.cluster.user(user + "-token", user);
      harness.cluster.grant(user, ProxyHarness.NAMESPACE, "vm1");
    }
    harness.vm("vm1", "127.0.0.1", false, "vm1");
    vnc = new FakeConsoleSocket(harness.runtimeDir("vm1").resolve("vnc.sock"), RFB_GREETING, false);
    serial =
        new FakeConsoleSocket(harness.runtimeDir("vm1").resolve("serial.sock"), new byte[0], true);
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    vnc.close();
    serial.close();
  }

  @Test
  void vncBytesFlowBothWaysAsBinaryFrames() throws Exception {
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "vnc", false);
    WsClient ws = harness.webSocket(session, "vnc");
    assertThat(ws.socket.getSubprotocol()).isEqualTo("binary");
    ws.awaitBinary(WAIT, b -> Arrays.equals(b, RFB_GREETING));
    byte[] handshake = rfbClientHandshake();
    ws.sendBinary(handshake);
    // what reaches QEMU asks for a shared session, whatever the browser asked
    vnc.awaitReceived(WAIT, r -> Arrays.equals(r, shared(handshake)));
    vnc.broadcast(new byte[] {0, 0, 0, 0});
    ws.awaitBinary(WAIT, b -> b.length == RFB_GREETING.length + 4);
    assertThat(harness.audit.await("open", "ok").getString("protocol")).isEqualTo("vnc");

    ws.socket.sendClose(1000, "bye").join();
    var close = harness.audit.await("close", "closed-by-client");
    assertThat(close.getLong("bytesToClient")).isEqualTo(RFB_GREETING.length + 4L);
    assertThat(close.getLong("bytesToVm")).isEqualTo((long) handshake.length);
    assertThat(close.getLong("durationMs")).isNotNull();
  }

  @Test
  void noSubprotocolIsAcceptedToo() throws Exception {
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "vnc", false);
    WsClient ws = harness.webSocket(session, "vnc", session.cookie(), harness.origin(), null);
    assertThat(ws.socket.getSubprotocol()).isEmpty();
    ws.awaitBinary(WAIT, b -> Arrays.equals(b, RFB_GREETING));
  }

  @Test
  void foreignOriginIsRefused() throws Exception {
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "vnc", false);
    assertThat(harness.refusedUpgrade(session, "vnc", session.cookie(), "https://evil.example"))
        .isEqualTo(403);
    assertThat(harness.refusedUpgrade(session, "vnc", session.cookie(), null)).isEqualTo(403);
    var refused = harness.audit.await("refuse-ws", "bad-origin");
    assertThat(refused.getInteger("status")).isEqualTo(403);
    assertThat(refused.getString("user")).isEqualTo("alice");
    assertThat(vnc.connectionsAccepted()).isZero();
  }

  @Test
  void missingOrWrongCookieIsUnauthenticated() throws Exception {
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "vnc", false);
    assertThat(harness.refusedUpgrade(session, "vnc", null, harness.origin())).isEqualTo(401);
    assertThat(harness.refusedUpgrade(session, "vnc", "guessed", harness.origin())).isEqualTo(401);
    assertThat(harness.audit.await("refuse-ws", "no-session").getInteger("status")).isEqualTo(401);
    assertThat(vnc.connectionsAccepted()).isZero();
  }

  @Test
  void anotherProtocolThanTheSessionsIsForbidden() throws Exception {
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "vnc", false);
    assertThat(harness.refusedUpgrade(session, "serial", session.cookie(), harness.origin()))
        .isEqualTo(403);
    harness.audit.await("refuse-ws", "wrong-protocol");
  }

  @Test
  void connectionsPerSessionAreLimited() throws Exception {
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "vnc", false);
    List<WsClient> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      WsClient ws = harness.webSocket(session, "vnc");
      ws.awaitBinary(WAIT, b -> b.length == RFB_GREETING.length);
      open.add(ws);
    }
    assertThat(harness.refusedUpgrade(session, "vnc", session.cookie(), harness.origin()))
        .isEqualTo(429);
    harness.audit.await("refuse-ws", "connection-limit");
  }

  /**
   * Upgrades that arrive together each pass a check of the bridged connections alone: the limit
   * must count connections from the moment they are admitted, so exactly the limit get through.
   */
  @Test
  void connectionsArrivingTogetherStillStopAtTheLimit() throws Exception {
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "vnc", false);
    List<java.util.concurrent.CompletableFuture<Object>> attempts = new ArrayList<>();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 8; i++) {
        attempts.add(
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return (Object) harness.webSocket(session, "vnc");
                  } catch (java.util.concurrent.CompletionException e) {
                    return e.getCause();
                  }
                },
                pool));
      }
    }
    List<WsClient> admitted = new ArrayList<>();
    int refused = 0;
    for (var attempt : attempts) {
      Object outcome = attempt.join();
      if (outcome instanceof WsClient ws) {
        admitted.add(ws);
      } else if (outcome instanceof java.net.http.WebSocketHandshakeException e
          && e.getResponse().statusCode() == 429) {
        refused++;
      } else {
        throw new AssertionError("neither admitted nor refused with 429: " + outcome);
      }
    }
    assertThat(admitted).hasSize(3);
    assertThat(refused).isEqualTo(5);
    for (WsClient ws : admitted) {
      ws.awaitBinary(WAIT, b -> b.length == RFB_GREETING.length);
    }
    assertThat(vnc.connectionsOpen()).isEqualTo(3);
    // Slots come back: one closes, one more gets in.
    admitted.get(0).socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").join();
    Await.until(WAIT, "a closed connection gives its slot back", () -> vnc.connectionsOpen() == 2);
    harness.webSocket(session, "vnc").awaitBinary(WAIT, b -> b.length == RFB_GREETING.length);
  }

  @Test
  void severalViewersWatchOneVmAtOnce() throws Exception {
    List<WsClient> viewers = new ArrayList<>();
    for (String user : List.of("alice", "bob", "carol", "dave", "erin")) {
      ProxyHarness.Redeemed session = harness.session(user + "-token", "vm1", "vnc", false);
      WsClient ws = harness.webSocket(session, "vnc");
      ws.awaitBinary(WAIT, b -> b.length == RFB_GREETING.length);
      viewers.add(ws);
    }
    assertThat(vnc.connectionsOpen()).isEqualTo(5);
    byte[] update = "screen update".getBytes(StandardCharsets.US_ASCII);
    vnc.broadcast(update);
    for (WsClient ws : viewers) {
      ws.awaitBinary(WAIT, b -> b.length == RFB_GREETING.length + update.length);
    }
    assertThat(harness.proxy.metrics().scrape())
        .contains("fastvm_console_sessions_active{protocol=\"vnc\"} 5.0")
        .contains("fastvm_console_connections_active{protocol=\"vnc\"} 5.0");
  }

  @Test
  void viewOnlyVncDropsInputButKeepsTheScreenFlowing() throws Exception {
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "vnc", true);
    WsClient ws = harness.webSocket(session, "vnc");
    ws.awaitBinary(WAIT, b -> b.length == RFB_GREETING.length);
    byte[] handshake = rfbClientHandshake();
    byte[] key = {4, 1, 0, 0, 0, 0, 0, 0x61};
    byte[] pointer = {5, 1, 0, 10, 0, 20};
    byte[] update = {3, 1, 0, 0, 0, 0, 2, (byte) 0xd0, 1, (byte) 0x90};
    ws.sendBinary(handshake);
    ws.sendBinary(concat(key, pointer));
    ws.sendBinary(update);
    byte[] expected = concat(shared(handshake), update);
    byte[] got = vnc.awaitReceived(WAIT, r -> r.length >= expected.length);
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void serialTravelsAsTextAndViewOnlySerialDropsTyping() throws Exception {
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "serial", false);
    WsClient ws = harness.webSocket(session, "serial", session.cookie(), harness.origin(), null);
    Counter relayed = harness.proxy.metrics().bytesToClient(ConsoleChannel.SERIAL);
    double before = relayed.count();
    int echoed = "héllo ✓\r".getBytes(StandardCharsets.UTF_8).length;
    ws.sendText("héllo ✓\r");
    ws.awaitText(WAIT, t -> t.equals("héllo ✓\r"));
    // The counter may lag the frame the viewer already got: wait for the echo to be counted.
    Await.until(WAIT, "the echo counted", () -> relayed.count() == before + echoed);
    // a character split across two chunks from the VM still arrives whole: the second half is
    // sent only once the proxy has taken the first one off the socket on its own
    byte[] check = "✓".getBytes(StandardCharsets.UTF_8);
    serial.broadcast(Arrays.copyOfRange(check, 0, 1));
    Await.until(
        WAIT, "the proxy read the first byte", () -> relayed.count() == before + echoed + 1);
    assertThat(ws.text()).isEqualTo("héllo ✓\r");
    serial.broadcast(Arrays.copyOfRange(check, 1, 3));
    ws.awaitText(WAIT, t -> t.endsWith("\r✓"));

    // A view-only viewer types, then leaves: its console connection to the VM closes after
    // anything it forwarded, on the same ordered path, so once the VM's socket saw that
    // connection end, whatever typing got through is there.
    int received = serial.received().length;
    ProxyHarness.Redeemed watcher = harness.session("bob-token", "vm1", "serial", true);
    WsClient view = harness.webSocket(watcher, "serial", watcher.cookie(), harness.origin(), null);
    Await.until(WAIT, "bob's viewer reached the VM", () -> serial.connectionsAccepted() == 2);
    view.sendText("reboot\r");
    view.sendBinary("reboot\r".getBytes(StandardCharsets.US_ASCII));
    view.socket.sendClose(1000, "done").join();
    Await.until(WAIT, "bob's viewer left the VM", () -> serial.connectionsOpen() == 1);
    JsonObject closed =
        harness.audit.await(
            WAIT, l -> "close".equals(l.getString("event")) && "bob".equals(l.getString("user")));
    assertThat(serial.received()).hasSize(received);
    assertThat(closed.getLong("bytesToVm")).isZero();
    // ... and alice's typing still goes through
    ws.sendText("ls\r");
    assertThat(
            new String(
                serial.awaitReceived(WAIT, r -> r.length == received + 3), StandardCharsets.UTF_8))
        .endsWith("\rls\r");
  }

  @Test
  void anEndpointThatIsNotTheVmsIsNotUsed() throws Exception {
    // vm2's pod address answers with vm1's certificate (a reused IP, or an impostor)
    harness.vm("vm2", "127.0.0.2", false, "vm1");
    harness.cluster.grant("alice", ProxyHarness.NAMESPACE, "vm2");
    try (FakeConsoleSocket impostor =
        new FakeConsoleSocket(harness.runtimeDir("vm2").resolve("vnc.sock"), RFB_GREETING, false)) {
      ProxyHarness.Redeemed session = harness.session("alice-token", "vm2", "vnc", false);
      WsClient ws = harness.webSocket(session, "vnc");
      assertThat(ws.awaitClose(WAIT)).isEqualTo(1011);
      assertThat(ws.binary()).isEmpty();
      harness.audit.await("refuse-ws", "backend-unavailable");
      // the proxy left before asking for a channel: nothing behind that endpoint was opened
      assertThat(impostor.connectionsAccepted()).isZero();
    }
  }

  @Test
  void rotatedProxyCertificatesAreUsedWithoutARestart() throws Exception {
    // The mounted Secret first holds a certificate of another CA: endpoints refuse the proxy.
    var stranger =
        io.fastvm.contract.console.pki.ConsoleCertificateAuthority.create(
            "stranger", Duration.ofDays(1), Clock.systemUTC());
    var wrong = stranger.issueProxyClient(Duration.ofDays(1));
    var right = io.fastvm.contract.console.TlsMaterial.fromDirectory(harness.pki.backendTlsDir);
    ProxyHarness.Redeemed session = harness.session("alice-token", "vm1", "vnc", false);
    try (LogCapture log = new LogCapture(ConsoleProxy.class)) {
      new io.fastvm.contract.console.TlsMaterial(
              wrong.certificatePem(), wrong.privateKeyPem(), right.caPem())
          .writeTo(harness.pki.backendTlsDir);
      awaitBackend(log, harness, session, false);
      // The operator rotates it back to a good one; the proxy picks it up.
      right.writeTo(harness.pki.backendTlsDir);
      awaitBackend(log, harness, session, true);
    }
  }

  @Test
  void aProxyStartedBeforeItsClientCertificateExistsUsesItOnceItAppears() throws Exception {
    // The chart mounts the operator's Secret as an optional volume: at first it is empty.
    Path later = dir.resolve("backend-tls-later");
    try (ProxyHarness early =
            ProxyHarness.start(
                dir.resolve("early"),
                Map.of(
                    "FASTVM_CONSOLE_BACKEND_TLS_DIR",
                    later.toString(),
                    "FASTVM_CONSOLE_BACKEND_TLS_RELOAD_INTERVAL",
                    "300ms"),
                Clock.systemUTC());
        LogCapture log = new LogCapture(ConsoleProxy.class)) {
      early.cluster.user("alice-token", "alice");
      early.cluster.grant("alice", ProxyHarness.NAMESPACE, "vm2");
      early.vm("vm2", "127.0.0.3", false, "vm2");
      try (FakeConsoleSocket screen =
          new FakeConsoleSocket(early.runtimeDir("vm2").resolve("vnc.sock"), RFB_GREETING, false)) {
        ProxyHarness.Redeemed session = early.session("alice-token", "vm2", "vnc", false);
        assertThat(early.webSocket(session, "vnc").awaitClose(WAIT)).isEqualTo(1011);
        early.audit.await("refuse-ws", "backend-unavailable");
        assertThat(screen.connectionsAccepted()).isZero();
        // The operator issues it; the kubelet fills the volume; the proxy picks it up.
        io.fastvm.contract.console.TlsMaterial.fromDirectory(early.pki.backendTlsDir)
            .writeTo(later);
        awaitBackend(log, early, session, true);
      }
    }
  }

  static final String RELOADED = "new backend TLS material in use";

  /**
   * Opens VNC consoles on {@code session} one at a time until one is bridged ({@code bridged}) or
   * refused as unavailable (1011), trying again after each reload the proxy logs: the proxy reads
   * the three files one after the other, so a reload may catch the old and the new material mixed
   * and only the next one all of the new.
   */
  static void awaitBackend(
      LogCapture log, ProxyHarness proxy, ProxyHarness.Redeemed session, boolean bridged)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      int reloads = log.count(RELOADED);
      WsClient ws = proxy.webSocket(session, "vnc");
      boolean greeted = ws.awaitBinaryOrClose(WAIT, b -> Arrays.equals(b, RFB_GREETING));
      if (greeted) {
        ws.socket.sendClose(1000, "bye").join();
        ws.awaitClose(WAIT);
      } else {
        assertThat(ws.awaitClose(WAIT)).isEqualTo(1011);
        assertThat(ws.binary()).isEmpty();
      }
      if (greeted == bridged) {
        return;
      }
      log.awaitMoreThan(
          RELOADED, reloads, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }

  /** Client side of an RFB 3.8 handshake with no security, shared flag off (the proxy sets it). */
  static byte[] rfbClientHandshake() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(RFB_GREETING);
    out.write(1); // security type None
    out.write(0); // ClientInit: not shared
    ByteBuffer encodings = ByteBuffer.allocate(4 + 8);
    encodings.put((byte) 2).put((byte) 0).putShort((short) 2).putInt(0).putInt(-223);
    out.writeBytes(encodings.array());
    return out.toByteArray();
  }

  static byte[] shared(byte[] handshake) {
    byte[] copy = handshake.clone();
    copy[RFB_GREETING.length + 1] = 1;
    return copy;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
