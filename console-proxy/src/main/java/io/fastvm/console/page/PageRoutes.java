package io.fastvm.console.page;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Set;

/**
 * The console pages and their assets, all from the proxy's jar (noVNC, spice-html5 and xterm.js are
 * packaged at build time; no CDN). Pages hold no secrets: each asks its session's {@code info} with
 * the cookie, so they are the same file for every session.
 */
public final class PageRoutes {
  private PageRoutes() {}

  static final Set<String> PAGES = Set.of("vnc.html", "spice.html", "serial.html");

  /**
   * Tight by default: scripts and connections only to the proxy itself, no framing. Styles may be
   * inline because noVNC and xterm.js set element styles.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          + "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
          + "base-uri 'none'; form-action 'none'";

  public static void mount(Router router, String basePath) {
    router.route().handler(PageRoutes::securityHeaders);
    router
        .get(basePath + "/assets/*")
        .handler(
            StaticHandler.create("webroot")
                .setDirectoryListing(false)
                .setIncludeHidden(false)
                .setCachingEnabled(true)
                .setMaxAgeSeconds(3600));
    router.get(basePath + "/s/:session/:page").handler(PageRoutes::page);
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }

  private static void page(RoutingContext ctx) {
    String page = ctx.pathParam("page");
    if (!PAGES.contains(page)) {
      ctx.next();
      return;
    }
    ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .sendFile("webroot/pages/" + page);
  }
}
