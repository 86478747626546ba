package io.fastvm.console;

import com.nimbusds.jose.jwk.ECKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.console.api.LinkBase;
import io.fastvm.console.api.MintHandler;
import io.fastvm.console.api.RedeemHandler;
import io.fastvm.console.api.SessionEndpoints;
import io.fastvm.console.audit.AuditLog;
import io.fastvm.console.auth.Authenticator;
import io.fastvm.console.auth.Authorizer;
import io.fastvm.console.bridge.ConsoleBackend;
import io.fastvm.console.bridge.ConsoleSocketHandler;
import io.fastvm.console.bridge.ReloadingTlsBackend;
import io.fastvm.console.limit.RateLimiter;
import io.fastvm.console.link.LinkSigner;
import io.fastvm.console.link.ReplayCache;
import io.fastvm.console.link.SigningKeyStore;
import io.fastvm.console.metrics.ConsoleMetrics;
import io.fastvm.console.page.PageRoutes;
import io.fastvm.console.session.EndReason;
import io.fastvm.console.session.Session;
import io.fastvm.console.session.SessionStore;
import io.fastvm.console.session.SessionSupervisor;
import io.fastvm.console.target.TargetResolver;
import io.fastvm.console.web.OriginPolicy;
import io.fastvm.console.web.RequestSource;
import io.fastvm.contract.console.TlsMaterial;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;

/**
 * The console-proxy: wires links, sessions, the WebSocket bridge and the pages onto a Vert.x HTTP
 * server (one per event loop), plus a management listener for metrics and health.
 *
 * <p>Browser-facing routes, under the public URL's path: {@code POST
 * /api/v1/namespaces/{ns}/virtualmachines/{name}/console} (mint), {@code GET
 * /console/{ns}/{name}/{protocol}?token=} (redeem), {@code /s/{session}/...} (pages, info, extend,
 * close, ws/{protocol}), {@code /assets/...}.
 */
public final class ConsoleProxy implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ConsoleProxy.class.getName());
  private final ProxyConfig config;
  private final Vertx vertx;
  private final KubernetesClient client;
  private final AuditLog audit;
  private final Clock clock;
  private final ConsoleMetrics metrics = new ConsoleMetrics();
  private SessionStore sessions;
  private SessionSupervisor supervisor;
  private ConsoleBackend backend;
  private HttpServer management;
  private volatile int port;

  private ConsoleProxy(
      ProxyConfig config, Vertx vertx, KubernetesClient client, AuditLog audit, Clock clock) {
    this.config = config;
    this.vertx = vertx;
    this.client = client;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Starts a proxy: loads (or creates) the signing key Secret, the backend client certificate from
   * {@link ProxyConfig#backendTlsDir()}, and listens.
   */
  public static Future<ConsoleProxy> start(
      ProxyConfig config, KubernetesClient client, AuditLog audit, Clock clock) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(config.eventLoops()));
    ConsoleProxy proxy = new ConsoleProxy(config, vertx, client, audit, clock);
    return vertx
        .executeBlocking(
            () ->
                new SigningKeyStore(client, config.namespace(), config.signingSecret())
                    .loadOrCreate())
        .compose(proxy::listen)
        .map(v -> proxy)
        .onFailure(e -> vertx.close());
  }

  private Future<Void> listen(ECKey signingKey) {
    ReloadingTlsBackend tlsBackend =
        new ReloadingTlsBackend(vertx, config.backendPort(), config.backendConnectTimeout());
    backend = tlsBackend;
    try {
      tlsBackend.use(TlsMaterial.fromDirectory(config.backendTlsDir()));
    } catch (IOException | UncheckedIOException e) {
      // The operator issues it into an optional Secret volume: it may come later.
      LOG.log(
          Level.WARNING,
          "console-proxy: no backend TLS material in "
              + config.backendTlsDir()
              + " yet ("
              + e.getMessage()
              + "); consoles are unavailable until it appears");
    }
    vertx.setPeriodic(
        config.backendTlsReloadInterval().toMillis(),
        id ->
            vertx
                .executeBlocking(() -> TlsMaterial.fromDirectory(config.backendTlsDir()), false)
                .compose(tlsBackend::use)
                .onSuccess(
                    changed -> {
                      if (changed) {
                        LOG.log(Level.INFO, "console-proxy: new backend TLS material in use");
                      }
                    })
                .onFailure(
                    e ->
                        LOG.log(
                            tlsBackend.ready() ? Level.WARNING : Level.DEBUG,
                            "console-proxy: cannot reload the backend TLS material: " + e)));
    sessions =
        new SessionStore(
            config.maxSessionsPerUser(), config.maxSessionsPerVm(), audit, metrics, clock);
    TargetResolver resolver = new TargetResolver(client);
    Authorizer authorizer = new Authorizer(client);
    RequestSource sources = new RequestSource(config.trustForwardedHeaders());
    OriginPolicy origins = new OriginPolicy(config.publicUrl(), sources);
    String base = config.basePath();

    MintHandler mint =
        new MintHandler(
            vertx,
            new Authenticator(client),
            authorizer,
            resolver,
            new LinkSigner(signingKey, clock),
            config.linkTtl(),
            new RateLimiter(config.mintsPerUserPerMinute(), clock),
            new RateLimiter(config.mintsPerVmPerMinute(), clock),
            new LinkBase(config.publicUrl(), origins),
            sources,
            metrics,
            audit,
            clock);
    RedeemHandler redeem =
        new RedeemHandler(
            vertx,
            new LinkSigner(signingKey, clock),
            new ReplayCache(clock),
            resolver,
            sessions,
            config.sessionMaxLifetime(),
            base,
            sources,
            metrics,
            audit,
            clock);
    SessionEndpoints endpoints =
        new SessionEndpoints(
            sessions, config.sessionIdleLimit(), base, origins, sources, audit, clock);
    ConsoleSocketHandler sockets =
        new ConsoleSocketHandler(
            sessions,
            backend,
            origins,
            sources,
            config.maxConnectionsPerSession(),
            metrics,
            audit,
            clock);

    supervisor =
        new SessionSupervisor(
            vertx,
            sessions,
            resolver,
            authorizer,
            clock,
            config.sessionIdleLimit(),
            config.recheckInterval());
    supervisor.start();

    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.listenHost())
            .setPort(config.port())
            .setTcpNoDelay(true)
            // Echo "binary" when a client offers it (noVNC, spice-html5); none when none is
            // offered.
            .setWebSocketSubProtocols(List.of("binary"))
            .setMaxWebSocketFrameSize(1 << 20)
            .setMaxWebSocketMessageSize(4 << 20)
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false);
    if (config.httpTls()) {
      if (OpenSSLEngineOptions.isAvailable()) {
        options.setSslEngineOptions(new OpenSSLEngineOptions());
      }
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(config.httpTlsCert().toString())
                  .setKeyPath(config.httpTlsKey().toString()));
    }
    int instances = config.port() == 0 ? 1 : config.eventLoops();
    Future<String> http =
        vertx.deployVerticle(
            () ->
                new AbstractVerticle() {
                  @Override
                  public void start(Promise<Void> started) {
                    Router router = Router.router(vertx);
                    PageRoutes.mount(router, base);
                    router
                        .post(base + "/api/v1/namespaces/:namespace/virtualmachines/:name/console")
                        .handler(BodyHandler.create().setBodyLimit(4096))
                        .handler(mint);
                    router.get(base + "/console/:namespace/:name/:protocol").handler(redeem);
                    router.get(base + "/s/:session/info").handler(endpoints::info);
                    router.post(base + "/s/:session/extend").handler(endpoints::extend);
                    router.post(base + "/s/:session/close").handler(endpoints::close);
                    router.get(base + "/s/:session/ws/:channel").handler(sockets);
                    vertx
                        .createHttpServer(options)
                        .requestHandler(router)
                        .listen()
                        .onSuccess(server -> port = server.actualPort())
                        .<Void>mapEmpty()
                        .onComplete(started);
                  }
                },
            new DeploymentOptions().setInstances(instances));
    Future<Void> managed = Future.succeededFuture();
    if (config.managementPort() > 0) {
      Router router = Router.router(vertx);
      router
          .get("/metrics")
          .handler(
              ctx ->
                  ctx.response()
                      .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                      .end(metrics.scrape()));
      router.get("/healthz").handler(ctx -> ctx.response().end("ok"));
      managed =
          vertx
              .createHttpServer()
              .requestHandler(router)
              .listen(config.managementPort(), config.listenHost())
              .onSuccess(server -> management = server)
              .mapEmpty();
    }
    return Future.all(http, managed).mapEmpty();
  }

  /** Port of the browser-facing listener (the real one when configured as 0). */
  public int port() {
    return port;
  }

  /** Port of the management listener, or -1 when there is none. */
  public int managementPort() {
    return management == null ? -1 : management.actualPort();
  }

  public SessionStore sessions() {
    return sessions;
  }

  public ConsoleMetrics metrics() {
    return metrics;
  }

  /** Ends every session (their WebSockets close with 1001) and stops listening. */
  @Override
  public void close() {
    if (supervisor != null) {
      supervisor.stop();
    }
    if (sessions != null) {
      for (Session session : sessions.active()) {
        sessions.end(session, EndReason.SHUTDOWN);
      }
    }
    if (backend != null) {
      backend.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
