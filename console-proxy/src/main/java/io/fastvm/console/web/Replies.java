package io.fastvm.console.web;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** JSON answers of the proxy's API, errors in the shape {@code {"error":..., "message":...}}. */
public final class Replies {
  private Replies() {}

  public static void json(HttpServerResponse response, int status, JsonObject body) {
    if (response.ended() || response.closed()) {
      return;
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }

  public static void error(HttpServerResponse response, int status, String error, String message) {
    json(response, status, new JsonObject().put("error", error).put("message", message));
  }

  /** A small HTML page for answers a person sees in the browser (a link that no longer works). */
  public static void page(HttpServerResponse response, int status, String title, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    String html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
            + escape(title)
            + "</title><style>body{font-family:sans-serif;margin:3em;color:#222}</style></head>"
            + "<body><h1>"
            + escape(title)
            + "</h1><p>"
            + escape(message)
            + "</p></body></html>";
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(html);
  }

  public static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
