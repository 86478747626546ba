package io.fastvm.console.web;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.util.Locale;

/**
 * The proxy's own origin, which WebSocket upgrades and state-changing requests must come from: the
 * configured public URL's, or else the scheme and Host of the request itself. Stops other web pages
 * from driving a console with the user's cookie (cross-site WebSocket hijacking).
 */
public final class OriginPolicy {
  private final String publicOrigin;
  private final RequestSource source;

  public OriginPolicy(URI publicUrl, RequestSource source) {
    this.publicOrigin = publicUrl == null ? null : origin(publicUrl);
    this.source = source;
  }

  /** The origin links are built on and browsers must present. */
  public String expectedOrigin(HttpServerRequest request) {
    if (publicOrigin != null) {
      return publicOrigin;
    }
    // Host in HTTP/1.1, :authority in HTTP/2
    HostAndPort authority = request.authority();
    String host =
        authority == null
            ? request.getHeader("Host")
            : authority.host() + (authority.port() >= 0 ? ":" + authority.port() : "");
    return (source.scheme(request) + "://" + host).toLowerCase(Locale.ROOT);
  }

  public boolean allows(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    return origin != null && origin.toLowerCase(Locale.ROOT).equals(expectedOrigin(request));
  }

  static String origin(URI url) {
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    int port = url.getPort();
    boolean defaultPort =
        port < 0
            || (scheme.equals("https") && port == 443)
            || (scheme.equals("http") && port == 80);
    return (scheme + "://" + url.getHost() + (defaultPort ? "" : ":" + port))
        .toLowerCase(Locale.ROOT);
  }
}
