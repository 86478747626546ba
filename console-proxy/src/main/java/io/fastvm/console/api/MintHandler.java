package io.fastvm.console.api;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fastvm.console.audit.AuditEvent;
import io.fastvm.console.audit.AuditLog;
import io.fastvm.console.auth.Authenticator;
import io.fastvm.console.auth.Authorizer;
import io.fastvm.console.auth.UserInfo;
import io.fastvm.console.limit.RateLimiter;
import io.fastvm.console.link.LinkClaims;
import io.fastvm.console.link.LinkSigner;
import io.fastvm.console.metrics.ConsoleMetrics;
import io.fastvm.console.target.TargetLookup;
import io.fastvm.console.target.TargetResolver;
import io.fastvm.console.web.Replies;
import io.fastvm.console.web.RequestSource;
import io.fastvm.contract.console.ConsoleChannel;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code POST <base>/api/v1/namespaces/{ns}/virtualmachines/{name}/console} with the user's
 * Kubernetes bearer token and {@code {"protocol":"vnc|spice|serial","viewOnly":false}}: checks the
 * token (TokenReview, else 401), the permission (SubjectAccessReview on {@code
 * virtualmachines/console}, else 403), the mint limits (429), that the VM exists (404), runs and
 * serves that protocol (409), then answers 201 with a one-time link.
 */
public final class MintHandler implements Handler<RoutingContext> {
  private static final System.Logger LOG = System.getLogger(MintHandler.class.getName());

  private final Vertx vertx;
  private final Authenticator authenticator;
  private final Authorizer authorizer;
  private final TargetResolver resolver;
  private final LinkSigner signer;
  private final Duration linkTtl;
  private final RateLimiter userMints;
  private final RateLimiter vmMints;
  private final LinkBase linkBase;
  private final RequestSource sources;
  private final ConsoleMetrics metrics;
  private final AuditLog audit;
  private final Clock clock;

  public MintHandler(
      Vertx vertx,
      Authenticator authenticator,
      Authorizer authorizer,
      TargetResolver resolver,
      LinkSigner signer,
      Duration linkTtl,
      RateLimiter userMints,
      RateLimiter vmMints,
      LinkBase linkBase,
      RequestSource sources,
      ConsoleMetrics metrics,
      AuditLog audit,
      Clock clock) {
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.resolver = resolver;
    this.signer = signer;
    this.linkTtl = linkTtl;
    this.userMints = userMints;
    this.vmMints = vmMints;
    this.linkBase = linkBase;
    this.sources = sources;
    this.metrics = metrics;
    this.audit = audit;
    this.clock = clock;
  }

  /** How a mint request ended: status, audit outcome, answer body and the user if known. */
  private record Outcome(int status, String outcome, JsonObject body, String user, long retry) {
    static Outcome refused(int status, String outcome, String message) {
      return new Outcome(
          status, outcome, new JsonObject().put("error", outcome).put("message", message), null, 0);
    }

    Outcome by(String username) {
      return new Outcome(status, outcome, body, username, retry);
    }

    Outcome retryAfter(long seconds) {
      return new Outcome(status, outcome, body, user, seconds);
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    String namespace = ctx.pathParam("namespace");
    String name = ctx.pathParam("name");
    String source = sources.address(ctx.request());
    JsonObject body;
    try {
      body =
          ctx.body() == null || ctx.body().length() == 0
              ? new JsonObject()
              : ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      reply(
          ctx,
          Outcome.refused(400, "bad-request", "the body must be a JSON object"),
          namespace,
          name,
          null,
          false,
          source);
      return;
    }
    if (body == null) {
      body = new JsonObject();
    }
    String protocolName =
        Optional.ofNullable(body.getValue("protocol"))
            .map(String::valueOf)
            .orElse(Optional.ofNullable(ctx.request().getParam("protocol")).orElse("vnc"));
    boolean viewOnly =
        Boolean.TRUE.equals(body.getValue("viewOnly"))
            || "true".equalsIgnoreCase(ctx.request().getParam("viewOnly"));
    Optional<ConsoleChannel> protocol = ConsoleChannel.parse(protocolName);
    if (protocol.isEmpty()) {
      reply(
          ctx,
          Outcome.refused(
              400, "bad-request", "protocol must be vnc, spice or serial, not " + protocolName),
          namespace,
          name,
          protocolName,
          viewOnly,
          source);
      return;
    }
    if (viewOnly && protocol.get() == ConsoleChannel.SPICE) {
      reply(
          ctx,
          Outcome.refused(
              400,
              "bad-request",
              "view-only is offered for vnc and serial; SPICE carries input on channels the proxy"
                  + " does not filter"),
          namespace,
          name,
          protocolName,
          true,
          source);
      return;
    }
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization == null
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || authorization.substring(7).isBlank()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      reply(
          ctx,
          Outcome.refused(401, "unauthenticated", "a Kubernetes bearer token is needed"),
          namespace,
          name,
          protocolName,
          viewOnly,
          source);
      return;
    }
    String token = authorization.substring(7).trim();
    String base = linkBase.of(ctx.request());
    vertx
        .executeBlocking(
            () -> decide(token, namespace, name, protocol.get(), viewOnly, base), false)
        .onComplete(
            done -> {
              Outcome outcome;
              if (done.succeeded()) {
                outcome = done.result();
              } else {
                LOG.log(Level.WARNING, "console link mint failed: " + done.cause());
                outcome =
                    Outcome.refused(503, "unavailable", "the Kubernetes API could not be asked");
              }
              reply(ctx, outcome, namespace, name, protocolName, viewOnly, source);
            });
  }

  private Outcome decide(
      String token,
      String namespace,
      String name,
      ConsoleChannel protocol,
      boolean viewOnly,
      String base) {
    Optional<UserInfo> user;
    try {
      user = authenticator.authenticate(token);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw new IllegalStateException("the proxy may not create TokenReviews", e);
      }
      throw e;
    }
    if (user.isEmpty()) {
      return Outcome.refused(401, "unauthenticated", "the API server did not accept the token");
    }
    String username = user.get().username();
    if (!authorizer.mayOpenConsole(user.get(), namespace, name)) {
      return Outcome.refused(
              403,
              "forbidden",
              username + " may not get virtualmachines/console of " + namespace + "/" + name)
          .by(username);
    }
    if (!userMints.tryAcquire(username)) {
      return Outcome.refused(429, "limited", "too many console links for " + username)
          .by(username)
          .retryAfter(userMints.retryAfterSeconds(username));
    }
    String vmKey = namespace + "/" + name;
    if (!vmMints.tryAcquire(vmKey)) {
      return Outcome.refused(429, "limited", "too many console links for " + vmKey)
          .by(username)
          .retryAfter(vmMints.retryAfterSeconds(vmKey));
    }
    TargetLookup lookup = resolver.resolve(namespace, name);
    switch (lookup.state()) {
      case NOT_FOUND -> {
        return Outcome.refused(404, "not-found", lookup.detail()).by(username);
      }
      case NOT_RUNNING -> {
        return Outcome.refused(409, "not-running", lookup.detail()).by(username);
      }
      default -> {}
    }
    if (!lookup.target().serves(protocol)) {
      return Outcome.refused(
              409,
              "protocol-disabled",
              "the VM has no " + protocol.wireName() + " console (spec.display)")
          .by(username);
    }
    Instant now = clock.instant();
    Instant expires = now.plus(linkTtl);
    LinkClaims claims =
        new LinkClaims(
            RandomIds.of(18),
            user.get(),
            namespace,
            name,
            lookup.target().uid(),
            protocol,
            viewOnly,
            now,
            expires);
    String url =
        base
            + "/console/"
            + namespace
            + "/"
            + name
            + "/"
            + protocol.wireName()
            + "?token="
            + signer.sign(claims);
    JsonObject answer =
        new JsonObject()
            .put("url", url)
            .put("expiresAt", expires.toString())
            .put("namespace", namespace)
            .put("name", name)
            .put("protocol", protocol.wireName())
            .put("viewOnly", viewOnly)
            .put("user", username);
    return new Outcome(201, "ok", answer, username, 0);
  }

  private void reply(
      RoutingContext ctx,
      Outcome outcome,
      String namespace,
      String name,
      String protocol,
      boolean viewOnly,
      String source) {
    metrics.mint(outcome.outcome());
    audit.record(
        AuditEvent.of("mint", outcome.outcome(), outcome.status())
            .user(outcome.user())
            .vm(namespace, name)
            .protocol(protocol)
            .viewOnly(viewOnly)
            .source(source));
    if (outcome.retry() > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(outcome.retry()));
    }
    Replies.json(ctx.response(), outcome.status(), outcome.body());
  }
}
