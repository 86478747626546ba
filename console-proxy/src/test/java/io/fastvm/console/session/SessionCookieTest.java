package io.fastvm.console.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionCookieTest {
  @Test
  void cookieIsHttpOnlySecureStrictAndScopedToItsSession() {
    String header = SessionCookie.setCookie("/console", "abc", "s3cret", Duration.ofHours(8));
    assertThat(header)
        .isEqualTo(
            "fastvm_console=s3cret; Path=/console/s/abc/; Max-Age=28800; HttpOnly; Secure;"
                + " SameSite=Strict");
    assertThat(SessionCookie.clear("", "abc"))
        .contains("Max-Age=0")
        .contains("Path=/s/abc/")
        .contains("HttpOnly");
  }
}
