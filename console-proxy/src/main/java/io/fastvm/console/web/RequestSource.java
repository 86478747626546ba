package io.fastvm.console.web;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * The client address for audit lines and the scheme the browser used: the TCP peer, or the first
 * X-Forwarded-For / X-Forwarded-Proto entry when the proxy sits behind a trusted reverse proxy.
 */
public final class RequestSource {
  private final boolean trustForwarded;

  public RequestSource(boolean trustForwarded) {
    this.trustForwarded = trustForwarded;
  }

  public String address(HttpServerRequest request) {
    if (trustForwarded) {
      String forwarded = request.getHeader("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        return forwarded.split(",")[0].trim();
      }
    }
    SocketAddress remote = request.remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress() + ":" + remote.port();
  }

  public String scheme(HttpServerRequest request) {
    if (trustForwarded) {
      String proto = request.getHeader("X-Forwarded-Proto");
      if (proto != null && !proto.isBlank()) {
        return proto.split(",")[0].trim();
      }
    }
    return request.isSSL() ? "https" : "http";
  }
}
