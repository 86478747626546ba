package io.fastvm.console.api;

import io.fastvm.console.audit.AuditEvent;
import io.fastvm.console.audit.AuditLog;
import io.fastvm.console.link.LinkClaims;
import io.fastvm.console.link.LinkRejectedException;
import io.fastvm.console.link.LinkRejection;
import io.fastvm.console.link.LinkSigner;
import io.fastvm.console.link.ReplayCache;
import io.fastvm.console.metrics.ConsoleMetrics;
import io.fastvm.console.session.Session;
import io.fastvm.console.session.SessionCookie;
import io.fastvm.console.session.SessionStore;
import io.fastvm.console.target.TargetLookup;
import io.fastvm.console.target.TargetResolver;
import io.fastvm.console.web.Replies;
import io.fastvm.console.web.RequestSource;
import io.fastvm.contract.console.ConsoleChannel;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code GET <base>/console/{ns}/{name}/{protocol}?token=...}: the link. Redeems the token once for
 * a session, sets the session cookie and redirects to the console page. A token that is not ours or
 * was tampered with: 401; expired or already used: 410; for another VM, namespace or protocol than
 * the URL: 403; VM gone (or re-created): 404; VM not running: 409; session limits: 429.
 */
public final class RedeemHandler implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final LinkSigner signer;
  private final ReplayCache replays;
  private final TargetResolver resolver;
  private final SessionStore sessions;
  private final Duration sessionMaxLifetime;
  private final String basePath;
  private final RequestSource sources;
  private final ConsoleMetrics metrics;
  private final AuditLog audit;
  private final Clock clock;

  public RedeemHandler(
      Vertx vertx,
      LinkSigner signer,
      ReplayCache replays,
      TargetResolver resolver,
      SessionStore sessions,
      Duration sessionMaxLifetime,
      String basePath,
      RequestSource sources,
      ConsoleMetrics metrics,
      AuditLog audit,
      Clock clock) {
    this.vertx = vertx;
    this.signer = signer;
    this.replays = replays;
    this.resolver = resolver;
    this.sessions = sessions;
    this.sessionMaxLifetime = sessionMaxLifetime;
    this.basePath = basePath;
    this.sources = sources;
    this.metrics = metrics;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String namespace = ctx.pathParam("namespace");
    String name = ctx.pathParam("name");
    String protocolName = ctx.pathParam("protocol");
    String source = sources.address(ctx.request());
    AuditEvent event =
        AuditEvent.of("redeem", "", 0).vm(namespace, name).protocol(protocolName).source(source);
    String token = ctx.request().getParam("token");
    if (token == null || token.isEmpty()) {
      refuse(ctx, event, 400, "bad-request", "This link has no token.");
      return;
    }
    LinkClaims claims;
    try {
      claims = signer.verify(token);
    } catch (LinkRejectedException e) {
      refuse(ctx, event, e.rejection().status(), e.rejection().outcome(), message(e.rejection()));
      return;
    }
    AuditEvent known = event.user(claims.user().username()).viewOnly(claims.viewOnly());
    if (!replays.firstUse(claims.id(), claims.expiresAt())) {
      refuse(ctx, known, 410, LinkRejection.REPLAYED.outcome(), message(LinkRejection.REPLAYED));
      return;
    }
    ConsoleChannel protocol = ConsoleChannel.parse(protocolName).orElse(null);
    if (!claims.namespace().equals(namespace)
        || !claims.vm().equals(name)
        || claims.protocol() != protocol) {
      refuse(ctx, known, 403, LinkRejection.MISMATCH.outcome(), message(LinkRejection.MISMATCH));
      return;
    }
    vertx
        .executeBlocking(() -> resolver.resolve(namespace, name), false)
        .onComplete(
            done -> {
              if (done.failed()) {
                refuse(ctx, known, 503, "unavailable", "The Kubernetes API could not be asked.");
                return;
              }
              open(ctx, known, claims, done.result(), source);
            });
  }

  private void open(
      RoutingContext ctx, AuditEvent event, LinkClaims claims, TargetLookup lookup, String source) {
    if (lookup.state() == TargetLookup.State.NOT_FOUND
        || (lookup.running() && !lookup.target().uid().equals(claims.vmUid()))) {
      refuse(ctx, event, 404, "not-found", "The virtual machine no longer exists.");
      return;
    }
    if (!lookup.running() || !lookup.target().serves(claims.protocol())) {
      refuse(ctx, event, 409, "not-running", "The virtual machine is not running.");
      return;
    }
    String secret = RandomIds.of(32);
    Session session =
        new Session(
            RandomIds.of(12),
            secret,
            claims.user(),
            lookup.target(),
            claims.protocol(),
            claims.viewOnly(),
            clock.instant(),
            sessionMaxLifetime,
            source);
    switch (sessions.open(session)) {
      case USER_LIMIT -> {
        refuse(
            ctx,
            event,
            429,
            "session-limit-user",
            "You have too many console sessions open. Close one and ask for a new link.");
        return;
      }
      case VM_LIMIT -> {
        refuse(
            ctx,
            event,
            429,
            "session-limit-vm",
            "This virtual machine has too many console sessions open.");
        return;
      }
      default -> {}
    }
    metrics.redeem("ok");
    audit.record(event.outcome("ok", 303).session(session.id()));
    ctx.response()
        .setStatusCode(303)
        .putHeader(
            "Set-Cookie",
            SessionCookie.setCookie(basePath, session.id(), secret, sessionMaxLifetime))
        .putHeader(
            "Location",
            SessionCookie.path(basePath, session.id()) + claims.protocol().wireName() + ".html")
        .putHeader("Cache-Control", "no-store")
        .end();
  }

  private void refuse(
      RoutingContext ctx, AuditEvent event, int status, String outcome, String message) {
    metrics.redeem(outcome);
    audit.record(event.outcome(outcome, status));
    Replies.page(ctx.response(), status, "Console link not usable", message);
  }

  private static String message(LinkRejection rejection) {
    return switch (rejection) {
      case INVALID -> "This console link is not valid.";
      case EXPIRED -> "This console link has expired. Ask for a new one (fastvm console VM).";
      case REPLAYED -> "This console link was already used. Each link opens one session.";
      case MISMATCH -> "This console link is for another virtual machine or console.";
    };
  }
}
