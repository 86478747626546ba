package io.fastvm.console.session;

import java.time.Duration;

/**
 * The cookie that carries a session's secret. One per session, scoped by path to that session's
 * URLs ({@code <base>/s/<id>/}) so several consoles can be open in one browser. HttpOnly (no script
 * reads it), Secure (HTTPS only; browsers also accept it on http://localhost), SameSite=Strict (no
 * other site can make the browser use it).
 */
public final class SessionCookie {
  private SessionCookie() {}

  public static final String NAME = "fastvm_console";

  public static String path(String basePath, String sessionId) {
    return basePath + "/s/" + sessionId + "/";
  }

  /** The Set-Cookie header value. */
  public static String setCookie(
      String basePath, String sessionId, String secret, Duration maxAge) {
    return NAME
        + "="
        + secret
        + "; Path="
        + path(basePath, sessionId)
        + "; Max-Age="
        + maxAge.toSeconds()
        + "; HttpOnly; Secure; SameSite=Strict";
  }

  /** Set-Cookie value that deletes the cookie when the session ends. */
  public static String clear(String basePath, String sessionId) {
    return NAME
        + "=; Path="
        + path(basePath, sessionId)
        + "; Max-Age=0; HttpOnly; Secure; SameSite=Strict";
  }
}
