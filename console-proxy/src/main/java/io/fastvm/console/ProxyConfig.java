package io.fastvm.console;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The console-proxy's settings. Each comes from the system property {@code fastvm.console.*} or
 * else the environment variable {@code FASTVM_CONSOLE_*} (see {@link Setting}), or its default.
 * Durations are written {@code 500ms}, {@code 60s}, {@code 15m}, {@code 8h} or ISO-8601.
 */
public record ProxyConfig(
    String listenHost,
    int port,
    Path httpTlsCert,
    Path httpTlsKey,
    URI publicUrl,
    int managementPort,
    String namespace,
    String signingSecret,
    Duration linkTtl,
    Duration sessionMaxLifetime,
    Duration sessionIdleLimit,
    Duration recheckInterval,
    int maxSessionsPerUser,
    int maxSessionsPerVm,
    int maxConnectionsPerSession,
    int mintsPerUserPerMinute,
    int mintsPerVmPerMinute,
    Path backendTlsDir,
    Duration backendTlsReloadInterval,
    int backendPort,
    Duration backendConnectTimeout,
    boolean trustForwardedHeaders,
    int eventLoops) {

  /** Links never live longer than this, whatever the configuration says. */
  public static final Duration MAX_LINK_TTL = Duration.ofSeconds(60);

  /** Every setting with its environment name, default and meaning (docs/console.md lists them). */
  public enum Setting {
    LISTEN_HOST("0.0.0.0", "address the browser-facing listener binds"),
    PORT("8443", "port of the browser-facing listener (HTTPS, or HTTP behind a TLS Ingress)"),
    HTTP_TLS_CERT("", "PEM certificate chain of the browser-facing listener; empty serves HTTP"),
    HTTP_TLS_KEY("", "PEM (PKCS#8) key of the browser-facing listener"),
    PUBLIC_URL(
        "",
        "external base URL (https://console.example.com[/prefix]); links are built on it and"
            + " WebSocket Origins must match it. Empty: taken from each request's Host"),
    MANAGEMENT_PORT("9090", "plain-HTTP port of /metrics and /healthz; 0 turns it off"),
    NAMESPACE("", "namespace of the signing-key Secret; empty: the pod's own namespace"),
    SIGNING_SECRET("fastvm-console-signing-key", "Secret holding the link signing key"),
    LINK_TTL("60s", "how long a minted link stays redeemable (at most 60s)"),
    SESSION_MAX_LIFETIME("8h", "hard limit of a console session, extensions included"),
    SESSION_IDLE_LIMIT("15m", "a session without input or extension for this long ends"),
    RECHECK_INTERVAL("30s", "how often sessions re-check RBAC and that their VM still runs"),
    MAX_SESSIONS_PER_USER("10", "open sessions one user may have"),
    MAX_SESSIONS_PER_VM("20", "open sessions one VM may have (all users)"),
    MAX_CONNECTIONS_PER_SESSION("16", "WebSockets one session may have open (SPICE uses ~5)"),
    MINTS_PER_USER_PER_MINUTE("30", "links one user may mint per minute"),
    MINTS_PER_VM_PER_MINUTE("60", "links that may be minted per minute for one VM"),
    BACKEND_TLS_DIR(
        "/etc/fastvm/console-proxy-tls",
        "client certificate (tls.crt, tls.key) and console CA (ca.crt) for the VM endpoints"),
    BACKEND_TLS_RELOAD_INTERVAL(
        "60s", "how often the backend TLS files are re-read (certificate rotation)"),
    BACKEND_PORT("5900", "port of the VM pods' console endpoints"),
    BACKEND_CONNECT_TIMEOUT("5s", "time to reach a VM pod's console endpoint"),
    TRUST_FORWARDED_HEADERS(
        "false", "take the client address and scheme from X-Forwarded-For/-Proto (behind a proxy)"),
    EVENT_LOOPS("0", "Vert.x event loop threads; 0: one per CPU");

    private final String defaultValue;
    private final String description;

    Setting(String defaultValue, String description) {
      this.defaultValue = defaultValue;
      this.description = description;
    }

    public String environmentName() {
      return "FASTVM_CONSOLE_" + name();
    }

    public String propertyName() {
      return "fastvm.console." + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String defaultValue() {
      return defaultValue;
    }

    public String description() {
      return description;
    }
  }

  /** Reads the settings from system properties, then the environment. */
  public static ProxyConfig fromSystem() {
    return from(
        setting -> {
          String value = System.getProperty(setting.propertyName());
          return value != null ? value : System.getenv(setting.environmentName());
        });
  }

  /** Settings given by environment name ({@code FASTVM_CONSOLE_LINK_TTL}), the rest default. */
  public static ProxyConfig fromMap(Map<String, String> values) {
    return from(setting -> values.get(setting.environmentName()));
  }

  public static ProxyConfig from(Function<Setting, String> lookup) {
    Function<Setting, String> get =
        setting -> {
          String value = lookup.apply(setting);
          return value == null ? setting.defaultValue() : value.trim();
        };
    Duration linkTtl = duration(get, Setting.LINK_TTL);
    if (linkTtl.compareTo(MAX_LINK_TTL) > 0 || linkTtl.isZero() || linkTtl.isNegative()) {
      throw new IllegalArgumentException(
          Setting.LINK_TTL.environmentName() + " must be between 1ms and 60s, not " + linkTtl);
    }
    String publicUrl = get.apply(Setting.PUBLIC_URL);
    String namespace = get.apply(Setting.NAMESPACE);
    if (namespace.isEmpty()) {
      namespace = podNamespace();
    }
    int eventLoops = integer(get, Setting.EVENT_LOOPS);
    return new ProxyConfig(
        get.apply(Setting.LISTEN_HOST),
        integer(get, Setting.PORT),
        path(get, Setting.HTTP_TLS_CERT),
        path(get, Setting.HTTP_TLS_KEY),
        publicUrl.isEmpty() ? null : URI.create(publicUrl.replaceAll("/+$", "")),
        integer(get, Setting.MANAGEMENT_PORT),
        namespace,
        get.apply(Setting.SIGNING_SECRET),
        linkTtl,
        duration(get, Setting.SESSION_MAX_LIFETIME),
        duration(get, Setting.SESSION_IDLE_LIMIT),
        duration(get, Setting.RECHECK_INTERVAL),
        integer(get, Setting.MAX_SESSIONS_PER_USER),
        integer(get, Setting.MAX_SESSIONS_PER_VM),
        integer(get, Setting.MAX_CONNECTIONS_PER_SESSION),
        integer(get, Setting.MINTS_PER_USER_PER_MINUTE),
        integer(get, Setting.MINTS_PER_VM_PER_MINUTE),
        path(get, Setting.BACKEND_TLS_DIR),
        duration(get, Setting.BACKEND_TLS_RELOAD_INTERVAL),
        integer(get, Setting.BACKEND_PORT),
        duration(get, Setting.BACKEND_CONNECT_TIMEOUT),
        Boolean.parseBoolean(get.apply(Setting.TRUST_FORWARDED_HEADERS)),
        eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors());
  }

  public boolean httpTls() {
    return httpTlsCert != null && httpTlsKey != null;
  }

  /** Path prefix of every URL the proxy serves ("" or "/prefix"), from the public URL. */
  public String basePath() {
    if (publicUrl == null || publicUrl.getRawPath() == null) {
      return "";
    }
    return publicUrl.getRawPath();
  }

  /** Parses {@code 500ms}, {@code 60s}, {@code 15m}, {@code 8h}, {@code 1d} or ISO-8601. */
  public static Duration parseDuration(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (value.startsWith("p")) {
        return Duration.parse(value.toUpperCase(Locale.ROOT));
      }
      if (value.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      }
      long amount = Long.parseLong(value.substring(0, value.length() - 1));
      return switch (value.charAt(value.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        case 'd' -> Duration.ofDays(amount);
        default -> throw new IllegalArgumentException("unknown unit");
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a duration: " + text, e);
    }
  }

  private static Duration duration(Function<Setting, String> get, Setting setting) {
    try {
      return parseDuration(get.apply(setting));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(setting.environmentName() + ": " + e.getMessage(), e);
    }
  }

  private static int integer(Function<Setting, String> get, Setting setting) {
    try {
      return Integer.parseInt(get.apply(setting));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          setting.environmentName() + " must be a number: " + get.apply(setting), e);
    }
  }

  private static Path path(Function<Setting, String> get, Setting setting) {
    String value = get.apply(setting);
    return value.isEmpty() ? null : Path.of(value);
  }

  private static String podNamespace() {
    Path file = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    try {
      return Files.isReadable(file) ? Files.readString(file).trim() : "fastvm-system";
    } catch (java.io.IOException e) {
      return "fastvm-system";
    }
  }
}
