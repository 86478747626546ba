package io.fastvm.contract.console;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Who is who on the console byte path. Both sides hold certificates from the console CA, so the CA
 * alone does not tell a VM's endpoint from the proxy: each certificate carries a URI subject
 * alternative name, and each side checks the other's. A VM endpoint's certificate names its VM, so
 * a pod IP reused by another VM is never mistaken for the one the session is bound to.
 */
public final class ConsoleIdentities {
  private ConsoleIdentities() {}

  /** The console-proxy's client identity; the only client an endpoint accepts. */
  public static final String PROXY = "urn:fastvm:console-proxy";

  private static final String ENDPOINT_PREFIX = "urn:fastvm:console-endpoint:";

  /** Identity of the console endpoint of VM {@code namespace/name}. */
  public static String endpoint(String namespace, String name) {
    return ENDPOINT_PREFIX + namespace + ":" + name;
  }

  /** The URI subject alternative names of a certificate. */
  public static List<String> uris(X509Certificate certificate) {
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (name.size() >= 2 && Integer.valueOf(6).equals(name.get(0))) {
            uris.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return List.of();
    }
    return uris;
  }

  public static boolean carries(X509Certificate certificate, String identity) {
    return uris(certificate).contains(identity);
  }
}
