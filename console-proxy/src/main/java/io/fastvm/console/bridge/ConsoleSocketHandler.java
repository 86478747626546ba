package io.fastvm.console.bridge;

import io.fastvm.console.audit.AuditEvent;
import io.fastvm.console.audit.AuditLog;
import io.fastvm.console.metrics.ConsoleMetrics;
import io.fastvm.console.session.Session;
import io.fastvm.console.session.SessionCookie;
import io.fastvm.console.session.SessionStore;
import io.fastvm.console.web.OriginPolicy;
import io.fastvm.console.web.RequestSource;
import io.fastvm.contract.console.ConsoleChannel;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code GET <base>/s/{session}/ws/{vnc|spice|serial}}: upgrades to a WebSocket and bridges it to
 * the session's VM. Refused before the upgrade, with an audit line: a foreign Origin (403), no or a
 * wrong session cookie (401), an ended session (410), another protocol than the session's (403),
 * too many connections (429). The target is the session's VM pod, never anything from the request.
 */
public final class ConsoleSocketHandler implements Handler<RoutingContext> {
  private final SessionStore sessions;
  private final ConsoleBackend backend;
  private final OriginPolicy origins;
  private final RequestSource sources;
  private final int maxConnectionsPerSession;
  private final ConsoleMetrics metrics;
  private final AuditLog audit;
  private final Clock clock;

  public ConsoleSocketHandler(
      SessionStore sessions,
      ConsoleBackend backend,
      OriginPolicy origins,
      RequestSource sources,
      int maxConnectionsPerSession,
      ConsoleMetrics metrics,
      AuditLog audit,
      Clock clock) {
    this.sessions = sessions;
    this.backend = backend;
    this.origins = origins;
    this.sources = sources;
    this.maxConnectionsPerSession = maxConnectionsPerSession;
    this.metrics = metrics;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String source = sources.address(request);
    String sessionId = ctx.pathParam("session");
    Optional<ConsoleChannel> channel = ConsoleChannel.parse(ctx.pathParam("channel"));
    Optional<Session> found = sessions.find(sessionId);
    AuditEvent base =
        AuditEvent.of("refuse-ws", "", 0)
            .source(source)
            .session(sessionId)
            .protocol(channel.map(ConsoleChannel::wireName).orElse(ctx.pathParam("channel")));
    AuditEvent refusal =
        found.map(s -> base.user(s.user().username()).vm(s.namespace(), s.vm())).orElse(base);
    if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      refuse(ctx, refusal, 400, "not-websocket");
      return;
    }
    if (!origins.allows(request)) {
      refuse(ctx, refusal, 403, "bad-origin");
      return;
    }
    Cookie cookie = request.getCookie(SessionCookie.NAME);
    if (found.isEmpty() || cookie == null || !found.get().matches(cookie.getValue())) {
      refuse(ctx, refusal, 401, "no-session");
      return;
    }
    Session session = found.get();
    if (session.isEnded()) {
      refuse(ctx, refusal, 410, "session-" + session.endReason().word());
      return;
    }
    if (channel.isEmpty() || channel.get() != session.protocol()) {
      refuse(ctx, refusal, 403, "wrong-protocol");
      return;
    }
    if (!session.reserveConnection(maxConnectionsPerSession)) {
      refuse(ctx, refusal, 429, "connection-limit");
      return;
    }
    ConsoleChannel ch = channel.get();
    request
        .toWebSocket()
        .onFailure(
            e -> {
              session.releaseConnection();
              audit.record(refusal.outcome("upgrade-failed", 400));
            })
        .onSuccess(
            ws -> {
              ws.pause();
              backend
                  .open(session.target(), ch)
                  .onSuccess(
                      stream ->
                          new WebSocketBridge(
                                  ws,
                                  stream,
                                  session,
                                  ch,
                                  filterFor(ch, session.viewOnly()),
                                  metrics,
                                  audit,
                                  clock,
                                  source)
                              .start())
                  .onFailure(
                      e -> {
                        session.releaseConnection();
                        audit.record(refusal.outcome("backend-unavailable", 0));
                        ws.close((short) 1011, "console unavailable");
                      });
            });
  }

  static ClientStreamFilter filterFor(ConsoleChannel channel, boolean viewOnly) {
    return switch (channel) {
      case VNC -> new RfbClientFilter(viewOnly);
      case SPICE -> new SpiceChannelFilter();
      case SERIAL -> new SerialInputFilter(viewOnly);
    };
  }

  private void refuse(RoutingContext ctx, AuditEvent refusal, int status, String outcome) {
    audit.record(refusal.outcome(outcome, status));
    ctx.response().setStatusCode(status).putHeader("Cache-Control", "no-store").end();
  }
}
