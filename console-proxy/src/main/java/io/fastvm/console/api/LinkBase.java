package io.fastvm.console.api;

import io.fastvm.console.web.OriginPolicy;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;

/**
 * The base URL links and redirects are built on: the configured public URL, or else the origin the
 * request came to (the proxy's own origin, never a client-chosen host: Host only selects among
 * names the proxy is reached under).
 */
public final class LinkBase {
  private final URI publicUrl;
  private final OriginPolicy origins;

  public LinkBase(URI publicUrl, OriginPolicy origins) {
    this.publicUrl = publicUrl;
    this.origins = origins;
  }

  public String of(HttpServerRequest request) {
    return publicUrl != null ? publicUrl.toString() : origins.expectedOrigin(request);
  }
}
