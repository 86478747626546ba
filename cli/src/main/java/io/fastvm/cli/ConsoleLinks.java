package io.fastvm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mints a console link at the console-proxy with the user's Kubernetes bearer token (the HTTP API
 * of docs/console.md). Every failure is a {@link Failure} whose message tells the user what to do.
 */
public final class ConsoleLinks {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Environment variable with the console-proxy's external URL. */
  public static final String URL_ENV = "FASTVM_CONSOLE_URL";

  /** A refusal or a problem, with a message for the user. */
  public static final class Failure extends Exception {
    private final int status;

    public Failure(String message) {
      this(0, message);
    }

    public Failure(int status, String message) {
      super(message);
      this.status = status;
    }

    /** The proxy's HTTP status; 0 when the proxy was not asked, -1 when it could not be. */
    public int status() {
      return status;
    }
  }

  /** What the proxy answered: the link and how long it can be opened. */
  public record Link(String url, String expiresAt, String user) {}

  private ConsoleLinks() {}

  /**
   * The bearer token the kubeconfig provides: a static token, one from an exec plugin or an auth
   * provider (fabric8 runs them while reading the kubeconfig), or a token provider.
   */
  public static String bearerToken(Config config) throws Failure {
    String token = null;
    if (config.getOauthTokenProvider() != null) {
      token = config.getOauthTokenProvider().getToken();
    }
    if (blank(token)) {
      token = config.getOauthToken();
    }
    if (blank(token)) {
      token = config.getAutoOAuthToken();
    }
    if (blank(token) && config.getAuthProvider() != null) {
      Map<String, String> provider = config.getAuthProvider().getConfig();
      if (provider != null) {
        token = provider.getOrDefault("id-token", provider.get("access-token"));
      }
    }
    if (!blank(token)) {
      return token.trim();
    }
    boolean clientCertificate =
        !blank(config.getClientCertFile()) || !blank(config.getClientCertData());
    throw new Failure(
        (clientCertificate
                ? "your kubeconfig authenticates with a client certificate only, but the console"
                    + " proxy needs a Kubernetes bearer token (it checks it with a TokenReview)."
                : "your kubeconfig provides no bearer token, and the console proxy needs one.")
            + " Pass one with --token, e.g. a service account's:\n"
            + "  fastvm console VM --token \"$(kubectl create token SERVICE-ACCOUNT -n NAMESPACE)\"\n"
            + "(that service account needs get on virtualmachines/console).");
  }

  /**
   * The proxy's base URL: {@code --proxy-url}, else {@value #URL_ENV}. Plain HTTP only to this
   * machine: a bearer token is never sent over the network unencrypted.
   */
  public static URI proxyUrl(String option, Map<String, String> env) throws Failure {
    String url = !blank(option) ? option : env.get(URL_ENV);
    if (blank(url)) {
      throw new Failure(
          "where is the console proxy? Pass --proxy-url https://console.example.com or set "
              + URL_ENV
              + " (the console-proxy's external URL: the Helm value consoleProxy.publicUrl).");
    }
    URI uri;
    try {
      uri = URI.create(url.trim().replaceAll("/+$", ""));
    } catch (IllegalArgumentException e) {
      throw new Failure("not a URL: " + url);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new Failure("the console proxy URL must be https://HOST[:PORT][/PATH], not " + url);
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw new Failure(
          "refusing to send your Kubernetes token over plain HTTP to "
              + uri.getHost()
              + ": use the proxy's https:// URL");
    }
    return uri;
  }

  /** An HTTP client trusting the system CAs, or only the PEM CA file given. */
  public static HttpClient httpClient(Path caFile) throws Failure {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER);
    if (caFile != null) {
      try (InputStream in = Files.newInputStream(caFile)) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          trust.setCertificateEntry("ca-" + i++, ca);
        }
        if (i == 0) {
          throw new Failure("no certificate in " + caFile);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        builder.sslContext(context);
      } catch (IOException | GeneralSecurityException e) {
        throw new Failure("cannot use the CA file " + caFile + ": " + e.getMessage());
      }
    }
    return builder.build();
  }

  /** Asks the proxy for a link (POST .../virtualmachines/{name}/console). */
  public static Link mint(
      HttpClient http,
      URI proxy,
      String token,
      String namespace,
      String vm,
      String protocol,
      boolean viewOnly)
      throws Failure {
    URI endpoint =
        URI.create(
            proxy
                + "/api/v1/namespaces/"
                + segment(namespace)
                + "/virtualmachines/"
                + segment(vm)
                + "/console");
    ObjectNode body = JSON.createObjectNode().put("protocol", protocol).put("viewOnly", viewOnly);
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(endpoint)
                  .timeout(Duration.ofSeconds(30))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .header("Accept", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Failure(-1, "cannot reach the console proxy at " + proxy + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(-1, "interrupted");
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(response.body());
    } catch (IOException e) {
      answer = JSON.createObjectNode();
    }
    if (answer == null) {
      answer = JSON.createObjectNode();
    }
    int status = response.statusCode();
    if (status == 201 && answer.hasNonNull("url")) {
      return new Link(
          answer.path("url").asText(),
          answer.path("expiresAt").asText(null),
          answer.path("user").asText(null));
    }
    String said = answer.path("message").asText("");
    String what = namespace + "/" + vm;
    String message =
        switch (status) {
          case 400 -> "the console proxy refused the request: " + said;
          case 401 ->
              "the console proxy did not accept your Kubernetes credentials (401"
                  + (said.isEmpty() ? "" : ": " + said)
                  + "). Is the kubeconfig's token still valid for this cluster?";
          case 403 ->
              "you may not open the console of "
                  + what
                  + " (403): you need get on the subresource virtualmachines/console in namespace "
                  + namespace
                  + " (e.g. the ClusterRole fastvm-console)";
          case 404 -> "no VirtualMachine " + what + " (404)";
          case 409 ->
              "the console of "
                  + what
                  + " cannot be opened now (409): "
                  + (said.isEmpty() ? "the VM is not running" : said);
          case 429 ->
              "too many console links or sessions (429): "
                  + said
                  + response
                      .headers()
                      .firstValue("Retry-After")
                      .map(s -> "; try again in " + s + " s")
                      .orElse("");
          default ->
              "the console proxy answered "
                  + status
                  + (said.isEmpty() ? "" : ": " + said)
                  + " (at "
                  + endpoint
                  + ")";
        };
    throw new Failure(status, message);
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (e instanceof javax.net.ssl.SSLHandshakeException) {
      return "TLS handshake failed ("
          + message
          + "); for a proxy certificate from a private CA pass --proxy-ca-file";
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      return h.matches("[0-9.:a-fA-F]+") && InetAddress.getByName(h).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
