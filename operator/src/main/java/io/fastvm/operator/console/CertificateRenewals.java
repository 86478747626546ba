package io.fastvm.operator.console;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Remembers when each certificate Secret is due for renewal, per Secret version: parsing a
 * certificate and verifying its signature on every reconcile was a tenth of the operator's CPU at
 * 1000 VMs. An entry holds as long as the Secret's uid, resourceVersion and the CA are those it was
 * checked with; any change (an edit by hand, a new CA) checks it again. Thread-safe.
 */
public final class CertificateRenewals {
  private static final int MIN_PRUNE_AT = 1024;

  private record Checked(
      String uid, String resourceVersion, String identity, String caPem, Instant renewAt) {
    boolean holdsFor(Secret secret, String forIdentity, String ca) {
      return uid.equals(secret.getMetadata().getUid())
          && resourceVersion.equals(secret.getMetadata().getResourceVersion())
          && identity.equals(forIdentity)
          && caPem.equals(ca);
    }
  }

  private final Map<ResourceID, Checked> checked = new ConcurrentHashMap<>();
  private final Duration renewBefore;
  private volatile int pruneAt = MIN_PRUNE_AT;

  public CertificateRenewals(Duration renewBefore) {
    this.renewBefore = renewBefore;
  }

  /**
   * {@link ConsoleTlsSecrets#renewAt} for {@code secret}, computed once per version of it.
   *
   * @param exists tells which remembered Secrets still exist, to forget the others now and then
   */
  public Instant renewAt(
      Optional<Secret> secret, String identity, String caPem, Predicate<ResourceID> exists) {
    if (secret.isEmpty()) {
      return Instant.MIN;
    }
    Secret current = secret.get();
    String uid = current.getMetadata().getUid();
    String version = current.getMetadata().getResourceVersion();
    if (uid == null || version == null) {
      // Not from the API server (a test's object): nothing to key it by.
      return ConsoleTlsSecrets.renewAt(secret, identity, caPem, renewBefore);
    }
    ResourceID key = ResourceID.fromResource(current);
    Checked known = checked.get(key);
    if (known != null && known.holdsFor(current, identity, caPem)) {
      return known.renewAt();
    }
    Instant renewAt = ConsoleTlsSecrets.renewAt(secret, identity, caPem, renewBefore);
    checked.put(key, new Checked(uid, version, identity, caPem, renewAt));
    pruneIfLarge(exists);
    return renewAt;
  }

  /**
   * Records the renewal time of a certificate just issued into {@code written} (as the API server
   * returned it), so the next reconcile need not check what this one wrote.
   */
  public void issued(Secret written, String identity, String caPem, Instant renewAt) {
    String uid = written.getMetadata().getUid();
    String version = written.getMetadata().getResourceVersion();
    if (uid != null && version != null) {
      checked.put(
          ResourceID.fromResource(written), new Checked(uid, version, identity, caPem, renewAt));
    }
  }

  /** How many Secrets are remembered (for tests). */
  int size() {
    return checked.size();
  }

  private void pruneIfLarge(Predicate<ResourceID> exists) {
    if (checked.size() <= pruneAt) {
      return;
    }
    checked.keySet().removeIf(exists.negate());
    pruneAt = Math.max(MIN_PRUNE_AT, 2 * checked.size());
  }
}
