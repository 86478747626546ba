package io.fastvm.console.testing;

import io.fastvm.console.ConsoleProxy;
import io.fastvm.console.ProxyConfig;
import io.fastvm.console.audit.AuditLog;
import io.fastvm.console.session.SessionCookie;
import io.fastvm.node.console.ConsoleEndpoint;
import io.fastvm.node.console.EndpointSettings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * A console-proxy as deployed, for tests: served over HTTPS with a test certificate, the fabric8
 * mock API server standing in for Kubernetes ({@link MockCluster}), and real mutual-TLS console
 * endpoints, one per VM, each on its own loopback address (its "pod IP") and the shared endpoint
 * port, bridging to unix sockets in that VM's runtime dir.
 */
public final class ProxyHarness implements AutoCloseable {
  public static final String NAMESPACE = "lab";

  public final Path dir;
  public final TestPki pki;
  public final MockCluster cluster = new MockCluster();
  public final AuditCapture audit = new AuditCapture();
  public final Clock clock;
  public final int endpointPort;
  public final ConsoleProxy proxy;
  public final HttpClient http;
  private final List<ConsoleEndpoint> endpoints = new ArrayList<>();

  private ProxyHarness(Path dir, Map<String, String> settings, Clock clock) throws Exception {
    this.dir = dir;
    this.clock = clock;
    this.pki = new TestPki(dir.resolve("pki"));
    try (ServerSocket probe = new ServerSocket(0)) {
      this.endpointPort = probe.getLocalPort();
    }
    Map<String, String> all = new HashMap<>();
    all.put("FASTVM_CONSOLE_LISTEN_HOST", "127.0.0.1");
    all.put("FASTVM_CONSOLE_PORT", "0");
    all.put("FASTVM_CONSOLE_MANAGEMENT_PORT", "0");
    all.put("FASTVM_CONSOLE_HTTP_TLS_CERT", pki.httpCert.toString());
    all.put("FASTVM_CONSOLE_HTTP_TLS_KEY", pki.httpKey.toString());
    all.put("FASTVM_CONSOLE_NAMESPACE", "fastvm-system");
    all.put("FASTVM_CONSOLE_BACKEND_TLS_DIR", pki.backendTlsDir.toString());
    all.put("FASTVM_CONSOLE_BACKEND_PORT", Integer.toString(endpointPort));
    all.put("FASTVM_CONSOLE_RECHECK_INTERVAL", "200ms");
    all.put("FASTVM_CONSOLE_EVENT_LOOPS", "2");
    all.putAll(settings);
    this.proxy =
        ConsoleProxy.start(
                ProxyConfig.fromMap(all), cluster.client, new AuditLog(audit, clock), clock)
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    this.http =
        HttpClient.newBuilder()
            .sslContext(pki.clientTrust())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  public static ProxyHarness start(Path dir) throws Exception {
    return start(dir, Map.of(), Clock.systemUTC());
  }

  public static ProxyHarness start(Path dir, Map<String, String> settings, Clock clock)
      throws Exception {
    return new ProxyHarness(dir, settings, clock);
  }

  /** The runtime dir (console sockets) of a VM. */
  public Path runtimeDir(String vm) throws IOException {
    return Files.createDirectories(dir.resolve("run-" + vm));
  }

  /**
   * A running VM in the mock cluster whose pod IP is {@code podIp}, with a console endpoint there
   * presenting a certificate for {@code certifiedAs} (normally the VM itself).
   */
  public ConsoleEndpoint vm(String name, String podIp, boolean spice, String certifiedAs)
      throws Exception {
    cluster.runningVm(NAMESPACE, name, podIp, spice);
    ConsoleEndpoint endpoint =
        ConsoleEndpoint.start(
            EndpointSettings.defaults(
                new InetSocketAddress(podIp, endpointPort),
                pki.endpoint(NAMESPACE, certifiedAs),
                runtimeDir(name)));
    endpoints.add(endpoint);
    return endpoint;
  }

  public String origin() {
    return "https://127.0.0.1:" + proxy.port();
  }

  public HttpResponse<String> mint(String token, String vm, String protocol, boolean viewOnly)
      throws Exception {
    return mint(token, NAMESPACE, vm, protocol, viewOnly);
  }

  public HttpResponse<String> mint(
      String token, String namespace, String vm, String protocol, boolean viewOnly)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    origin()
                        + "/api/v1/namespaces/"
                        + namespace
                        + "/virtualmachines/"
                        + vm
                        + "/console"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject().put("protocol", protocol).put("viewOnly", viewOnly).encode()));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Mints and returns the link, failing unless the proxy answered 201. */
  public String link(String token, String vm, String protocol, boolean viewOnly) throws Exception {
    HttpResponse<String> response = mint(token, vm, protocol, viewOnly);
    if (response.statusCode() != 201) {
      throw new AssertionError("mint answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body()).getString("url");
  }

  /** What opening a link answered. */
  public record Redeemed(int status, String location, String setCookie, String body) {
    /** The session cookie's value. */
    public String cookie() {
      String prefix = SessionCookie.NAME + "=";
      return setCookie.substring(prefix.length(), setCookie.indexOf(';'));
    }
  }

  public Redeemed redeem(String url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    return new Redeemed(
        response.statusCode(),
        response
            .headers()
            .firstValue("Location")
            .map(l -> URI.create(url).resolve(l).toString())
            .orElse(null),
        response.headers().firstValue("Set-Cookie").orElse(null),
        response.body());
  }

  /** Opens a link, failing unless it redirected to a console page. */
  public Redeemed session(String token, String vm, String protocol, boolean viewOnly)
      throws Exception {
    Redeemed redeemed = redeem(link(token, vm, protocol, viewOnly));
    if (redeemed.status() != 303) {
      throw new AssertionError("redeem answered " + redeemed.status() + ": " + redeemed.body());
    }
    return redeemed;
  }

  /** The session's base URL ({@code https://.../s/<id>/}) from the page it redirected to. */
  public String sessionBase(Redeemed redeemed) {
    String location = redeemed.location();
    return location.substring(0, location.lastIndexOf('/') + 1);
  }

  /** Opens a console WebSocket; the HTTP status of a refused upgrade is in the exception. */
  public WsClient webSocket(
      Redeemed redeemed, String channel, String cookie, String origin, String subprotocol) {
    String base = sessionBase(redeemed).replaceFirst("^https:", "wss:");
    WsClient client = new WsClient();
    WebSocket.Builder builder = http.newWebSocketBuilder();
    if (origin != null) {
      builder.header("Origin", origin);
    }
    if (cookie != null) {
      builder.header("Cookie", SessionCookie.NAME + "=" + cookie);
    }
    if (subprotocol != null) {
      builder.subprotocols(subprotocol);
    }
    builder.buildAsync(URI.create(base + "ws/" + channel), client).join();
    return client;
  }

  public WsClient webSocket(Redeemed redeemed, String channel) {
    return webSocket(redeemed, channel, redeemed.cookie(), origin(), "binary");
  }

  /** The HTTP status with which a WebSocket upgrade was refused. */
  public int refusedUpgrade(Redeemed redeemed, String channel, String cookie, String origin) {
    try {
      webSocket(redeemed, channel, cookie, origin, null);
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
    throw new AssertionError("the WebSocket upgrade was accepted");
  }

  public HttpResponse<String> sessionRequest(
      Redeemed redeemed, String method, String path, String cookie, String origin)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(sessionBase(redeemed) + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (cookie != null) {
      request.header("Cookie", SessionCookie.NAME + "=" + cookie);
    }
    if (origin != null) {
      request.header("Origin", origin);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    proxy.close();
    for (ConsoleEndpoint endpoint : endpoints) {
      endpoint.close();
    }
    cluster.close();
  }
}
