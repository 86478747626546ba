package io.fastvm.operator.console;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.operator.secret.SecretUpsert;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The console CA as the operator keeps it: loaded from (or, the first time, created in) the Secret
 * {@value ConsoleTlsSecrets#CA_SECRET} of the operator's namespace and reused; the proxy's client
 * certificate kept valid in {@value ConsoleTlsSecrets#PROXY_SECRET} beside it. Both are re-read
 * from the API server at most every {@link #RECHECK}, so a CA replaced by hand is picked up (and
 * every certificate re-issued from it). Thread-safe; the reconciler calls it on every reconcile.
 */
public final class ConsoleCa {
  private static final Logger LOG = Logger.getLogger(ConsoleCa.class);
  static final Duration RECHECK = Duration.ofMinutes(10);

  private final ConsoleTlsSettings settings;
  private final Clock clock;
  private String namespace;
  private ConsoleCertificateAuthority ca;
  private Instant caCheckedAt = Instant.MIN;
  private Instant proxyCheckedAt = Instant.MIN;
  private Instant proxyRenewAt = Instant.MIN;

  public ConsoleCa(ConsoleTlsSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  public ConsoleTlsSettings settings() {
    return settings;
  }

  /**
   * The operator's namespace: the setting, else {@code POD_NAMESPACE}, else the client's (the
   * kubeconfig's or the service account's), else {@code default}.
   */
  public synchronized String namespace(KubernetesClient client) {
    if (namespace == null) {
      namespace =
          firstNonBlank(
              settings.namespace(),
              System.getenv("POD_NAMESPACE"),
              client.getNamespace(),
              "default");
    }
    return namespace;
  }

  /** The CA, created in its Secret on first use. */
  public synchronized ConsoleCertificateAuthority authority(KubernetesClient client) {
    Instant now = clock.instant();
    if (ca != null && now.isBefore(caCheckedAt.plus(RECHECK))) {
      return ca;
    }
    String ns = namespace(client);
    Secret secret = client.secrets().inNamespace(ns).withName(ConsoleTlsSecrets.CA_SECRET).get();
    if (secret == null) {
      ConsoleCertificateAuthority fresh =
          ConsoleCertificateAuthority.create("fastvm console CA", settings.caValidity(), clock);
      try {
        client.secrets().inNamespace(ns).resource(ConsoleTlsSecrets.caSecret(ns, fresh)).create();
        LOG.infof("created the console CA in Secret %s/%s", ns, ConsoleTlsSecrets.CA_SECRET);
        secret = ConsoleTlsSecrets.caSecret(ns, fresh);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // Another operator process made it first: use theirs.
        secret = client.secrets().inNamespace(ns).withName(ConsoleTlsSecrets.CA_SECRET).get();
      }
    }
    ConsoleCertificateAuthority loaded =
        ConsoleTlsSecrets.caFrom(secret, clock)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Secret "
                            + ns
                            + "/"
                            + ConsoleTlsSecrets.CA_SECRET
                            + " holds no console CA (tls.crt, tls.key PEM); delete it and the"
                            + " operator makes a new one"));
    if (ca != null && !ca.certificatePem().equals(loaded.certificatePem())) {
      LOG.infof(
          "the console CA in %s/%s changed; certificates are re-issued",
          ns, ConsoleTlsSecrets.CA_SECRET);
      proxyRenewAt = Instant.MIN;
    }
    ca = loaded;
    caCheckedAt = now;
    return ca;
  }

  /** Issues or renews the proxy's client certificate Secret when due. */
  public synchronized void ensureProxyCertificate(KubernetesClient client) {
    ConsoleCertificateAuthority authority = authority(client);
    Instant now = clock.instant();
    if (now.isBefore(proxyRenewAt) && now.isBefore(proxyCheckedAt.plus(RECHECK))) {
      return;
    }
    String ns = namespace(client);
    Secret current =
        client.secrets().inNamespace(ns).withName(ConsoleTlsSecrets.PROXY_SECRET).get();
    String identity = io.fastvm.contract.console.ConsoleIdentities.PROXY;
    Instant renewAt =
        ConsoleTlsSecrets.renewAt(
            Optional.ofNullable(current),
            identity,
            authority.certificatePem(),
            settings.renewBefore());
    if (!now.isBefore(renewAt)) {
      Secret desired =
          ConsoleTlsSecrets.proxySecret(
              ns, authority.issueProxyClient(settings.certificateValidity()));
      SecretUpsert.upsert(client, desired, current);
      LOG.infof(
          "issued the console-proxy's client certificate in %s/%s",
          ns, ConsoleTlsSecrets.PROXY_SECRET);
      renewAt = clock.instant().plus(settings.certificateValidity()).minus(settings.renewBefore());
    }
    proxyRenewAt = renewAt;
    proxyCheckedAt = now;
  }

  private static String firstNonBlank(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
