package io.fastvm.console.api;

import io.fastvm.console.audit.AuditEvent;
import io.fastvm.console.audit.AuditLog;
import io.fastvm.console.session.EndReason;
import io.fastvm.console.session.Session;
import io.fastvm.console.session.SessionCookie;
import io.fastvm.console.session.SessionStore;
import io.fastvm.console.web.OriginPolicy;
import io.fastvm.console.web.Replies;
import io.fastvm.console.web.RequestSource;
import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * What a console page asks about its own session, authenticated by the session cookie: {@code GET
 * info}, {@code POST extend} (pushes the idle deadline out, up to the hard limit) and {@code POST
 * close}. The POSTs also require the proxy's own Origin.
 */
public final class SessionEndpoints {
  private final SessionStore sessions;
  private final Duration idleLimit;
  private final String basePath;
  private final OriginPolicy origins;
  private final RequestSource sources;
  private final AuditLog audit;
  private final Clock clock;

  public SessionEndpoints(
      SessionStore sessions,
      Duration idleLimit,
      String basePath,
      OriginPolicy origins,
      RequestSource sources,
      AuditLog audit,
      Clock clock) {
    this.sessions = sessions;
    this.idleLimit = idleLimit;
    this.basePath = basePath;
    this.origins = origins;
    this.sources = sources;
    this.audit = audit;
    this.clock = clock;
  }

  public void info(RoutingContext ctx) {
    authenticated(ctx).ifPresent(session -> Replies.json(ctx.response(), 200, describe(session)));
  }

  public void extend(RoutingContext ctx) {
    if (!origins.allows(ctx.request())) {
      Replies.error(ctx.response(), 403, "bad-origin", "requests must come from the console page");
      return;
    }
    authenticated(ctx)
        .ifPresent(
            session -> {
              if (session.isEnded()) {
                Replies.json(ctx.response(), 410, describe(session));
                return;
              }
              session.touch(clock.instant());
              audit.record(event("extend", session, ctx));
              Replies.json(ctx.response(), 200, describe(session));
            });
  }

  public void close(RoutingContext ctx) {
    if (!origins.allows(ctx.request())) {
      Replies.error(ctx.response(), 403, "bad-origin", "requests must come from the console page");
      return;
    }
    authenticated(ctx)
        .ifPresent(
            session -> {
              sessions.end(session, EndReason.CLOSED);
              ctx.response()
                  .putHeader("Set-Cookie", SessionCookie.clear(basePath, session.id()))
                  .putHeader("Cache-Control", "no-store")
                  .setStatusCode(204)
                  .end();
            });
  }

  private Optional<Session> authenticated(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(SessionCookie.NAME);
    Optional<Session> session =
        sessions
            .find(ctx.pathParam("session"))
            .filter(s -> cookie != null && s.matches(cookie.getValue()));
    if (session.isEmpty()) {
      Replies.error(ctx.response(), 401, "no-session", "no console session for this page");
    }
    return session;
  }

  private JsonObject describe(Session session) {
    JsonObject json =
        new JsonObject()
            .put("session", session.id())
            .put("namespace", session.namespace())
            .put("name", session.vm())
            .put("protocol", session.protocol().wireName())
            .put("viewOnly", session.viewOnly())
            .put("user", session.user().username())
            .put("createdAt", session.createdAt().toString())
            .put("expiresAt", session.expiresAt(idleLimit).toString())
            .put("hardExpiry", session.hardExpiry().toString())
            .put("idleLimitSeconds", idleLimit.toSeconds())
            .put("now", clock.instant().toString());
    if (session.isEnded()) {
      json.put("ended", session.endReason().word());
    }
    return json;
  }

  private AuditEvent event(String name, Session session, RoutingContext ctx) {
    return AuditEvent.of(name, "ok", 200)
        .user(session.user().username())
        .vm(session.namespace(), session.vm())
        .protocol(session.protocol().wireName())
        .source(sources.address(ctx.request()))
        .session(session.id());
  }
}
