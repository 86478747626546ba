package io.fastvm.console.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.console.ConsoleProxy;
import io.fastvm.console.ProxyConfig;
import io.fastvm.console.audit.AuditLog;
import io.fastvm.console.session.SessionCookie;
import io.fastvm.node.console.ConsoleEndpoint;
import io.fastvm.node.console.EndpointSettings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.SocketChannel;
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
 *
 * <p>The endpoint port is shared by every VM (the proxy has one backend port, as in a cluster), so
 * it has to be known before the proxy starts and before any endpoint binds it. The harness takes it
 * from the kernel by binding port 0 on {@link #PORT_RESERVATION_ADDRESS} (no VM uses that address)
 * and keeps that socket bound, not listening, until it closes: while it is bound the kernel hands
 * that port to no one else (not to a bind to port 0 on the wildcard address, not as an ephemeral
 * port), and endpoints (ours, or a launcher's) bind it on their own pod addresses.
 */
public final class ProxyHarness implements AutoCloseable {
  public static final String NAMESPACE = "lab";

  /** Holds the endpoint port for the harness' lifetime; never a VM's pod IP in the tests. */
  public static final String PORT_RESERVATION_ADDRESS = "127.0.0.254";

  public final Path dir;
  public final TestPki pki;

  /** The mock API server, or null when the harness runs against a real one. */
  public final MockCluster cluster;

  /** Where the harness creates VMs and pods (the mock's client, or a real server's admin). */
  private final KubernetesClient api;

  public final AuditCapture audit = new AuditCapture();
  public final Clock clock;
  public final int endpointPort;
  public final ConsoleProxy proxy;
  public final HttpClient http;
  private final List<ConsoleEndpoint> endpoints = new ArrayList<>();
  private final SocketChannel portReservation;

  private ProxyHarness(
      Path dir,
      Map<String, String> settings,
      Clock clock,
      MockCluster mock,
      KubernetesClient api,
      KubernetesClient proxyClient)
      throws Exception {
    this.cluster = mock;
    this.api = api;
    this.dir = dir;
    this.clock = clock;
    this.pki = new TestPki(dir.resolve("pki"));
    this.portReservation =
        SocketChannel.open().bind(new InetSocketAddress(PORT_RESERVATION_ADDRESS, 0));
    this.endpointPort = ((InetSocketAddress) portReservation.getLocalAddress()).getPort();
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
    try {
      this.proxy =
          ConsoleProxy.start(
                  ProxyConfig.fromMap(all), proxyClient, new AuditLog(audit, clock), clock)
              .toCompletionStage()
              .toCompletableFuture()
              .join();
    } catch (RuntimeException e) {
      portReservation.close();
      if (cluster != null) {
        cluster.close();
      }
      throw e;
    }
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
    MockCluster mock = new MockCluster();
    return new ProxyHarness(dir, settings, clock, mock, mock.client, mock.client);
  }

  /**
   * A proxy against a real API server: it talks to it as {@code proxyClient} (the chart's
   * ServiceAccount, say), and the harness creates VMs and pods with {@code admin}.
   */
  public static ProxyHarness startOnRealServer(
      Path dir, KubernetesClient admin, KubernetesClient proxyClient) throws Exception {
    return new ProxyHarness(dir, Map.of(), Clock.systemUTC(), null, admin, proxyClient);
  }

  /** The runtime dir (console sockets) of a VM. */
  public Path runtimeDir(String vm) throws IOException {
    return Files.createDirectories(dir.resolve("run-" + vm));
  }

  /**
   * A running VM in the cluster whose pod IP is {@code podIp}, with a console endpoint there
   * presenting a certificate for {@code certifiedAs} (normally the VM itself).
   */
  public ConsoleEndpoint vm(String name, String podIp, boolean spice, String certifiedAs)
      throws Exception {
    if (podIp.equals(PORT_RESERVATION_ADDRESS)) {
      throw new IllegalArgumentException(podIp + " holds the endpoint port; use another pod IP");
    }
    RunningVms.create(api, NAMESPACE, name, podIp, spice);
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
    WsClient client = new WsClient();
    webSocket(redeemed, channel, cookie, origin, subprotocol, client);
    return client;
  }

  /** Opens a console WebSocket as the session's page would, {@code listener} receiving. */
  public WebSocket webSocket(Redeemed redeemed, String channel, WebSocket.Listener listener) {
    return webSocket(redeemed, channel, redeemed.cookie(), origin(), "binary", listener);
  }

  private WebSocket webSocket(
      Redeemed redeemed,
      String channel,
      String cookie,
      String origin,
      String subprotocol,
      WebSocket.Listener listener) {
    String base = sessionBase(redeemed).replaceFirst("^https:", "wss:");
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
    return builder.buildAsync(URI.create(base + "ws/" + channel), listener).join();
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
    if (cluster != null) {
      cluster.close();
    }
    try {
      portReservation.close();
    } catch (IOException e) {
      // closed already
    }
  }
}
