package io.fastvm.console.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.console.testing.MutableClock;
import io.fastvm.console.testing.ProxyHarness;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Minting and redeeming console links against the fabric8 mock API server (TokenReview and
 * SubjectAccessReview answered by the mock; no real cluster): every refusal has its HTTP status and
 * an audit line.
 */
class LinkSecurityTest {
  @TempDir Path dir;
  ProxyHarness harness;
  final MutableClock clock = MutableClock.systemNow();

  ProxyHarness start(Map<String, String> settings) throws Exception {
    harness = ProxyHarness.start(dir, settings, clock);
    harness.cluster.user("alice-token", "alice");
    harness.cluster.user("bob-token", "bob");
    harness.cluster.grant("alice", ProxyHarness.NAMESPACE, "vm1");
    harness.vm("vm1", "127.0.0.1", false, "vm1");
    return harness;
  }

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void mintedLinkRedeemsOnceForASessionCookie() throws Exception {
    start(Map.of());
    HttpResponse<String> minted = harness.mint("alice-token", "vm1", "vnc", false);
    assertThat(minted.statusCode()).isEqualTo(201);
    JsonObject body = new JsonObject(minted.body());
    assertThat(body.getString("url")).startsWith(harness.origin() + "/console/lab/vm1/vnc?token=");
    assertThat(body.getString("user")).isEqualTo("alice");
    assertThat(java.time.Instant.parse(body.getString("expiresAt")))
        .isBeforeOrEqualTo(clock.instant().plusSeconds(60));
    harness.audit.await("mint", "ok");

    ProxyHarness.Redeemed redeemed = harness.redeem(body.getString("url"));
    assertThat(redeemed.status()).isEqualTo(303);
    assertThat(redeemed.location()).matches(harness.origin() + "/s/[A-Za-z0-9_-]+/vnc\\.html");
    assertThat(redeemed.setCookie())
        .startsWith("fastvm_console=")
        .contains("; HttpOnly")
        .contains("; Secure")
        .contains("; SameSite=Strict")
        .contains(
            "; Path=" + harness.sessionBase(redeemed).substring(harness.origin().length()) + ";");
    JsonObject audit = harness.audit.await("redeem", "ok");
    assertThat(audit.getString("user")).isEqualTo("alice");
    assertThat(audit.getString("vm")).isEqualTo("vm1");
    assertThat(audit.getString("source")).startsWith("127.0.0.1:");

    HttpResponse<String> info =
        harness.sessionRequest(redeemed, "GET", "info", redeemed.cookie(), null);
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(info.body()).getString("name")).isEqualTo("vm1");

    ProxyHarness.Redeemed replayed = harness.redeem(body.getString("url"));
    assertThat(replayed.status()).isEqualTo(410);
    assertThat(replayed.setCookie()).isNull();
    assertThat(harness.audit.await("redeem", "replayed").getInteger("status")).isEqualTo(410);
  }

  @Test
  void accessIsAskedForAsGetOnTheVmsConsoleSubresourceForTheTokensUser() throws Exception {
    start(Map.of());
    // A session, so the periodic re-check asks too (every 200ms in the harness).
    harness.session("alice-token", "vm1", "serial", false);
    List<JsonObject> reviews =
        harness.cluster.awaitSubjectAccessReviews(Duration.ofSeconds(10), all -> all.size() >= 2);
    JsonObject expectedAttributes =
        new JsonObject()
            .put("group", "fastvm.io")
            .put("resource", "virtualmachines")
            .put("subresource", "console")
            .put("verb", "get")
            .put("namespace", "lab")
            .put("name", "vm1");
    for (JsonObject review : reviews) {
      assertThat(review.getString("apiVersion")).isEqualTo("authorization.k8s.io/v1");
      assertThat(review.getString("kind")).isEqualTo("SubjectAccessReview");
      JsonObject spec = review.getJsonObject("spec");
      assertThat(spec.getString("user")).isEqualTo("alice");
      assertThat(spec.getString("uid")).isEqualTo("uid-alice");
      assertThat(spec.getJsonArray("groups").getList())
          .containsExactly("system:authenticated", "students");
      assertThat(spec.getValue("nonResourceAttributes")).isNull();
      assertThat(spec.getJsonObject("resourceAttributes")).isEqualTo(expectedAttributes);
    }
  }

  @Test
  void mintWithoutTokenIsUnauthenticated() throws Exception {
    start(Map.of());
    HttpResponse<String> response = harness.mint(null, "vm1", "vnc", false);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(harness.audit.await("mint", "unauthenticated").getInteger("status")).isEqualTo(401);
  }

  @Test
  void mintWithATokenTheApiServerRejectsIsUnauthenticated() throws Exception {
    start(Map.of());
    assertThat(harness.mint("stolen-or-expired", "vm1", "vnc", false).statusCode()).isEqualTo(401);
    harness.audit.await("mint", "unauthenticated");
  }

  @Test
  void mintWithoutRbacPermissionIsForbidden() throws Exception {
    start(Map.of());
    HttpResponse<String> response = harness.mint("bob-token", "vm1", "vnc", false);
    assertThat(response.statusCode()).isEqualTo(403);
    JsonObject audit = harness.audit.await("mint", "forbidden");
    assertThat(audit.getString("user")).isEqualTo("bob");
    assertThat(audit.getInteger("status")).isEqualTo(403);
  }

  @Test
  void mintForAMissingVmIsNotFound() throws Exception {
    start(Map.of());
    harness.cluster.grant("alice", ProxyHarness.NAMESPACE, "ghost");
    assertThat(harness.mint("alice-token", "ghost", "vnc", false).statusCode()).isEqualTo(404);
    harness.audit.await("mint", "not-found");
  }

  @Test
  void mintForAStoppedVmConflicts() throws Exception {
    start(Map.of());
    harness.cluster.stopVm(ProxyHarness.NAMESPACE, "vm1");
    assertThat(harness.mint("alice-token", "vm1", "vnc", false).statusCode()).isEqualTo(409);
    harness.audit.await("mint", "not-running");
  }

  @Test
  void mintForADisabledProtocolConflicts() throws Exception {
    start(Map.of());
    assertThat(harness.mint("alice-token", "vm1", "spice", false).statusCode()).isEqualTo(409);
    harness.audit.await("mint", "protocol-disabled");
  }

  @Test
  void mintForAnUnknownProtocolOrViewOnlySpiceIsABadRequest() throws Exception {
    start(Map.of());
    assertThat(harness.mint("alice-token", "vm1", "rdp", false).statusCode()).isEqualTo(400);
    assertThat(harness.mint("alice-token", "vm1", "spice", true).statusCode()).isEqualTo(400);
    harness.audit.await("mint", "bad-request");
  }

  @Test
  void mintsPerUserAndPerVmAreLimited() throws Exception {
    start(
        Map.of(
            "FASTVM_CONSOLE_MINTS_PER_USER_PER_MINUTE", "2",
            "FASTVM_CONSOLE_MINTS_PER_VM_PER_MINUTE", "3"));
    harness.cluster.grant("bob", ProxyHarness.NAMESPACE, "vm1");
    assertThat(harness.mint("alice-token", "vm1", "vnc", false).statusCode()).isEqualTo(201);
    assertThat(harness.mint("alice-token", "vm1", "vnc", false).statusCode()).isEqualTo(201);
    HttpResponse<String> limited = harness.mint("alice-token", "vm1", "vnc", false);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(harness.audit.await("mint", "limited").getString("user")).isEqualTo("alice");

    // bob has his own budget, but the VM's is spent after one more link
    assertThat(harness.mint("bob-token", "vm1", "vnc", false).statusCode()).isEqualTo(201);
    assertThat(harness.mint("bob-token", "vm1", "vnc", false).statusCode()).isEqualTo(429);

    clock.advance(Duration.ofMinutes(1));
    assertThat(harness.mint("alice-token", "vm1", "vnc", false).statusCode()).isEqualTo(201);
  }

  @Test
  void expiredLinkIsGone() throws Exception {
    start(Map.of());
    String url = harness.link("alice-token", "vm1", "vnc", false);
    clock.advance(Duration.ofSeconds(61));
    assertThat(harness.redeem(url).status()).isEqualTo(410);
    assertThat(harness.audit.await("redeem", "expired").getInteger("status")).isEqualTo(410);
  }

  @Test
  void linkLifetimeCanBeConfiguredLower() throws Exception {
    start(Map.of("FASTVM_CONSOLE_LINK_TTL", "5s"));
    String url = harness.link("alice-token", "vm1", "vnc", false);
    clock.advance(Duration.ofSeconds(8));
    assertThat(harness.redeem(url).status()).isEqualTo(410);
  }

  @Test
  void tamperedLinkIsRejected() throws Exception {
    start(Map.of());
    String url = harness.link("alice-token", "vm1", "vnc", false);
    String token = url.substring(url.indexOf("token=") + 6);
    String[] parts = token.split("\\.");
    // Same header and signature, payload changed to claim view-only is off for another user.
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("\"alice\"", "\"mallory\"");
    String forged =
        parts[0]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes())
            + "."
            + parts[2];
    assertThat(harness.redeem(url.replace(token, forged)).status()).isEqualTo(401);
    assertThat(harness.redeem(url.replace(token, "not.a.jwt")).status()).isEqualTo(401);
    assertThat(harness.audit.await("redeem", "invalid").getInteger("status")).isEqualTo(401);
    // the real link still works: refusals do not burn it
    assertThat(harness.redeem(url).status()).isEqualTo(303);
  }

  @Test
  void linkForAnotherVmNamespaceOrProtocolIsForbidden() throws Exception {
    start(Map.of());
    harness.vm("vm2", "127.0.0.2", true, "vm2");
    harness.cluster.grant("alice", ProxyHarness.NAMESPACE, "vm2");
    String url = harness.link("alice-token", "vm1", "vnc", false);
    assertThat(harness.redeem(url.replace("/lab/vm1/", "/lab/vm2/")).status()).isEqualTo(403);

    url = harness.link("alice-token", "vm1", "vnc", false);
    assertThat(harness.redeem(url.replace("/lab/vm1/", "/prod/vm1/")).status()).isEqualTo(403);

    url = harness.link("alice-token", "vm1", "vnc", false);
    assertThat(harness.redeem(url.replace("/vm1/vnc?", "/vm1/serial?")).status()).isEqualTo(403);
    assertThat(harness.audit.events("redeem"))
        .filteredOn(l -> "mismatch".equals(l.getString("outcome")))
        .hasSize(3)
        .allSatisfy(l -> assertThat(l.getInteger("status")).isEqualTo(403));
  }

  @Test
  void linkToAVmThatStoppedSinceConflicts() throws Exception {
    start(Map.of());
    String url = harness.link("alice-token", "vm1", "vnc", false);
    harness.cluster.stopVm(ProxyHarness.NAMESPACE, "vm1");
    assertThat(harness.redeem(url).status()).isEqualTo(409);
    harness.audit.await("redeem", "not-running");
  }

  @Test
  void openSessionsPerUserAndPerVmAreLimited() throws Exception {
    start(
        Map.of(
            "FASTVM_CONSOLE_MAX_SESSIONS_PER_USER", "1",
            "FASTVM_CONSOLE_MAX_SESSIONS_PER_VM", "2"));
    harness.cluster.user("carol-token", "carol");
    harness.cluster.grant("bob", ProxyHarness.NAMESPACE, "vm1");
    harness.cluster.grant("carol", ProxyHarness.NAMESPACE, "vm1");
    assertThat(harness.redeem(harness.link("alice-token", "vm1", "vnc", false)).status())
        .isEqualTo(303);
    assertThat(harness.redeem(harness.link("alice-token", "vm1", "vnc", false)).status())
        .isEqualTo(429);
    harness.audit.await("redeem", "session-limit-user");
    assertThat(harness.redeem(harness.link("bob-token", "vm1", "vnc", false)).status())
        .isEqualTo(303);
    assertThat(harness.redeem(harness.link("carol-token", "vm1", "vnc", false)).status())
        .isEqualTo(429);
    harness.audit.await("redeem", "session-limit-vm");
  }
}
