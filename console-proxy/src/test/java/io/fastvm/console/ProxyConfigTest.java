package io.fastvm.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {
  @Test
  void defaultsFollowTheIssue() {
    ProxyConfig config = ProxyConfig.fromMap(Map.of("FASTVM_CONSOLE_NAMESPACE", "fastvm-system"));
    assertThat(config.linkTtl()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.sessionMaxLifetime()).isEqualTo(Duration.ofHours(8));
    assertThat(config.sessionIdleLimit()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.backendPort()).isEqualTo(5900);
    assertThat(config.httpTls()).isFalse();
    assertThat(config.basePath()).isEmpty();
  }

  @Test
  void linksNeverLiveLongerThanAMinute() {
    assertThat(ProxyConfig.fromMap(Map.of("FASTVM_CONSOLE_LINK_TTL", "15s")).linkTtl())
        .isEqualTo(Duration.ofSeconds(15));
    assertThatThrownBy(() -> ProxyConfig.fromMap(Map.of("FASTVM_CONSOLE_LINK_TTL", "61s")))
        .hasMessageContaining("FASTVM_CONSOLE_LINK_TTL");
  }

  @Test
  void durationsAndPublicUrlParse() {
    assertThat(ProxyConfig.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(ProxyConfig.parseDuration("PT2H")).isEqualTo(Duration.ofHours(2));
    assertThat(ProxyConfig.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
    ProxyConfig config =
        ProxyConfig.fromMap(Map.of("FASTVM_CONSOLE_PUBLIC_URL", "https://c.example.com/vm/"));
    assertThat(config.basePath()).isEqualTo("/vm");
    assertThatThrownBy(() -> ProxyConfig.fromMap(Map.of("FASTVM_CONSOLE_PORT", "http")))
        .hasMessageContaining("FASTVM_CONSOLE_PORT");
  }

  @Test
  void systemPropertiesNameSettingsInLowerCase() {
    assertThat(ProxyConfig.Setting.SESSION_IDLE_LIMIT.propertyName())
        .isEqualTo("fastvm.console.session-idle-limit");
  }
}
