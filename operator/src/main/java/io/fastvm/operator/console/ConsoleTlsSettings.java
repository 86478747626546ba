package io.fastvm.operator.console;

import java.time.Duration;

/**
 * How the operator runs the console CA.
 *
 * @param namespace the operator's namespace, home of the CA and the proxy's client certificate;
 *     null takes {@code POD_NAMESPACE} (set by the Helm chart), else the client's namespace, else
 *     {@code default}
 * @param caValidity lifetime of a new CA
 * @param certificateValidity lifetime of issued certificates (VM endpoints, the proxy)
 * @param renewBefore a certificate is re-issued this long before it expires
 */
public record ConsoleTlsSettings(
    String namespace, Duration caValidity, Duration certificateValidity, Duration renewBefore) {

  public ConsoleTlsSettings {
    if (renewBefore.compareTo(certificateValidity) >= 0) {
      throw new IllegalArgumentException("renewBefore must be shorter than certificateValidity");
    }
  }

  /** A ten-year CA; 30-day certificates renewed 10 days before they expire. */
  public static ConsoleTlsSettings defaults() {
    return new ConsoleTlsSettings(
        null, Duration.ofDays(3650), Duration.ofDays(30), Duration.ofDays(10));
  }
}
