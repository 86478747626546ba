package io.fastvm.console.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.console.testing.MutableClock;
import io.fastvm.console.testing.ProxyHarness;
import io.fastvm.console.testing.WsClient;
import io.fastvm.node.testing.FakeConsoleSocket;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How sessions end, against the fabric8 mock API server: the VM stopping, RBAC revoked (seen at the
 * next re-check), idling, the hard limit, the user closing it; and extending it.
 */
class SessionLifecycleTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final byte[] RFB = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  final MutableClock clock = MutableClock.systemNow();
  ProxyHarness harness;
  FakeConsoleSocket vnc;

  @BeforeEach
  void start() throws Exception {
    harness =
        ProxyHarness.start(
            dir,
            Map.of(
                "FASTVM_CONSOLE_SESSION_IDLE_LIMIT", "15m",
                "FASTVM_CONSOLE_SESSION_MAX_LIFETIME", "1h"),
            clock);
    harness.cluster.user("alice-token", "alice");
    harness.cluster.user("bob-token", "bob");
    harness.cluster.grant("alice", ProxyHarness.NAMESPACE, "vm1");
    harness.cluster.grant("bob", ProxyHarness.NAMESPACE, "vm1");
    harness.vm("vm1", "127.0.0.1", false, "vm1");
    vnc = new FakeConsoleSocket(harness.runtimeDir("vm1").resolve("vnc.sock"), RFB, false);
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    vnc.close();
  }

  WsClient connected(ProxyHarness.Redeemed session) {
    WsClient ws = harness.webSocket(session, "vnc");
    ws.awaitBinary(WAIT, b -> b.length == RFB.length);
    return ws;
  }

  JsonObject info(ProxyHarness.Redeemed session) throws Exception {
    HttpResponse<String> response =
        harness.sessionRequest(session, "GET", "info", session.cookie(), null);
    assertThat(response.statusCode()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  @Test
  void vmStoppingEndsItsSessions() throws Exception {
    ProxyHarness.Redeemed alice = harness.session("alice-token", "vm1", "vnc", false);
    ProxyHarness.Redeemed bob = harness.session("bob-token", "vm1", "vnc", true);
    WsClient a = connected(alice);
    WsClient b = connected(bob);
    harness.cluster.stopVm(ProxyHarness.NAMESPACE, "vm1");
    assertThat(a.awaitClose(WAIT)).isEqualTo(4003);
    assertThat(b.awaitClose(WAIT)).isEqualTo(4003);
    assertThat(a.closeReason()).isEqualTo("session ended: vm-stopped");
    JsonObject end = harness.audit.await("end", "vm-stopped");
    assertThat(end.getLong("durationMs")).isNotNull();
    assertThat(info(alice).getString("ended")).isEqualTo("vm-stopped");
    assertThat(harness.refusedUpgrade(alice, "vnc", alice.cookie(), harness.origin()))
        .isEqualTo(410);
    assertThat(harness.proxy.sessions().size()).isZero();
  }

  @Test
  void revokedAccessEndsTheSessionAtTheNextRecheck() throws Exception {
    ProxyHarness.Redeemed alice = harness.session("alice-token", "vm1", "vnc", false);
    ProxyHarness.Redeemed bob = harness.session("bob-token", "vm1", "vnc", false);
    WsClient a = connected(alice);
    WsClient b = connected(bob);
    harness.cluster.revoke("alice", ProxyHarness.NAMESPACE, "vm1");
    assertThat(a.awaitClose(WAIT)).isEqualTo(4004);
    harness.audit.await("end", "access-revoked");
    // bob's access was asked again after that round, and the answer was acted on
    awaitRecheckRounds("bob");
    assertThat(harness.proxy.sessions().active())
        .extracting(s -> s.user().username())
        .containsExactly("bob");
    assertThat(b.closed).isNotDone();
    byte[] update = {0, 0, 0, 0};
    vnc.broadcast(update);
    b.awaitBinary(WAIT, bytes -> bytes.length == RFB.length + update.length);
  }

  /**
   * Waits until a whole re-check round that started after this call came back with {@code user}'s
   * answer: each round asks once per user and VM, and the next round starts only after the previous
   * one finished, so the second review from now was asked by a round that started after the first
   * one had ended. Expiry and idling are checked at the start of every round, with the test's
   * clock. Fails, naming the sessions still open, when no such round comes: a user without an open
   * session is asked about no more.
   */
  void awaitRecheckRounds(String user) throws InterruptedException {
    long seen = harness.cluster.subjectAccessReviewsFor(user);
    try {
      harness.cluster.awaitSubjectAccessReviews(
          WAIT,
          all ->
              all.stream()
                      .filter(r -> user.equals(r.getJsonObject("spec").getString("user")))
                      .count()
                  >= seen + 2);
    } catch (AssertionError e) {
      throw new AssertionError(
          "no re-check rounds for "
              + user
              + "; sessions open: "
              + harness.proxy.sessions().active().stream().map(s -> s.user().username()).toList(),
          e);
    }
  }

  @Test
  void idleSessionsEndAndExtendingKeepsThemOpen() throws Exception {
    ProxyHarness.Redeemed alice = harness.session("alice-token", "vm1", "vnc", false);
    ProxyHarness.Redeemed bob = harness.session("bob-token", "vm1", "vnc", false);
    WsClient a = connected(alice);
    connected(bob);
    clock.advance(Duration.ofMinutes(10));
    HttpResponse<String> extended =
        harness.sessionRequest(alice, "POST", "extend", alice.cookie(), harness.origin());
    assertThat(extended.statusCode()).isEqualTo(200);
    assertThat(Instant.parse(new JsonObject(extended.body()).getString("expiresAt")))
        .isCloseTo(
            clock.instant().plus(Duration.ofMinutes(15)),
            org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.SECONDS));
    clock.advance(Duration.ofMinutes(6));
    JsonObject idle = harness.audit.await("end", "idle");
    assertThat(idle.getString("user")).isEqualTo("bob");
    awaitRecheckRounds("alice");
    assertThat(harness.proxy.sessions().active())
        .extracting(s -> s.user().username())
        .containsExactly("alice");
    assertThat(a.closed).isNotDone();
    clock.advance(Duration.ofMinutes(10));
    assertThat(a.awaitClose(WAIT)).isEqualTo(4002);
  }

  @Test
  void userInputCountsAsActivity() throws Exception {
    ProxyHarness.Redeemed alice = harness.session("alice-token", "vm1", "vnc", false);
    WsClient a = connected(alice);
    a.sendBinary("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
    a.sendBinary(new byte[] {1, 1});
    clock.advance(Duration.ofMinutes(14));
    a.sendBinary(new byte[] {5, 0, 0, 1, 0, 1}); // a pointer move
    vnc.awaitReceived(WAIT, r -> r.length == 20);
    clock.advance(Duration.ofMinutes(14));
    // 28 minutes after it opened, 14 after the pointer moved: idle only if input did not count
    awaitRecheckRounds("alice");
    assertThat(harness.proxy.sessions().size()).isEqualTo(1);
    assertThat(a.closed).isNotDone();
    assertThat(harness.audit.events("end")).isEmpty();
  }

  @Test
  void sessionsEndAtTheirHardLimitEvenWhenExtended() throws Exception {
    ProxyHarness.Redeemed alice = harness.session("alice-token", "vm1", "vnc", false);
    WsClient a = connected(alice);
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(14));
      harness.sessionRequest(alice, "POST", "extend", alice.cookie(), harness.origin());
    }
    assertThat(a.awaitClose(WAIT)).isEqualTo(4001);
    harness.audit.await("end", "expired");
  }

  @Test
  void closingTheSessionCutsItsConsolesAndClearsTheCookie() throws Exception {
    ProxyHarness.Redeemed alice = harness.session("alice-token", "vm1", "vnc", false);
    WsClient a = connected(alice);
    assertThat(
            harness
                .sessionRequest(alice, "POST", "close", alice.cookie(), "https://evil.example")
                .statusCode())
        .isEqualTo(403);
    HttpResponse<String> closed =
        harness.sessionRequest(alice, "POST", "close", alice.cookie(), harness.origin());
    assertThat(closed.statusCode()).isEqualTo(204);
    assertThat(closed.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
    assertThat(a.awaitClose(WAIT)).isEqualTo(4005);
    harness.audit.await("end", "closed");
  }

  @Test
  void infoNeedsTheSessionCookie() throws Exception {
    ProxyHarness.Redeemed alice = harness.session("alice-token", "vm1", "vnc", false);
    assertThat(harness.sessionRequest(alice, "GET", "info", null, null).statusCode())
        .isEqualTo(401);
    assertThat(harness.sessionRequest(alice, "GET", "info", "nope", null).statusCode())
        .isEqualTo(401);
    JsonObject info = info(alice);
    assertThat(info.getString("user")).isEqualTo("alice");
    assertThat(info.getBoolean("viewOnly")).isFalse();
  }

  @Test
  void metricsCountSessionsBytesAndOutcomes() throws Exception {
    ProxyHarness.Redeemed alice = harness.session("alice-token", "vm1", "vnc", false);
    connected(alice);
    harness.redeem(harness.link("alice-token", "vm1", "vnc", false).replace("token=", "token=x"));
    String metrics = harness.proxy.metrics().scrape();
    assertThat(metrics)
        .contains("fastvm_console_sessions_active{protocol=\"vnc\"} 1.0")
        .contains(
            "fastvm_console_bytes_total{direction=\"to_client\",protocol=\"vnc\"} "
                + RFB.length
                + ".0")
        .contains("fastvm_console_link_mints_total{outcome=\"ok\"} 2.0")
        .contains("fastvm_console_link_redeems_total{outcome=\"ok\"} 1.0")
        .contains("fastvm_console_link_redeems_total{outcome=\"invalid\"} 1.0");
  }
}
