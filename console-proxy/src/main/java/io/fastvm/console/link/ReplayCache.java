package io.fastvm.console.link;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Remembers redeemed token ids until the tokens expire, so each link redeems once. Tokens live at
 * most a minute, so this stays small. Per proxy replica: with several replicas, each token must be
 * redeemed where its session will live anyway (sessions are in memory), see docs/console.md.
 */
public final class ReplayCache {
  private final ConcurrentMap<String, Instant> used = new ConcurrentHashMap<>();
  private final Clock clock;

  public ReplayCache(Clock clock) {
    this.clock = clock;
  }

  /** Marks {@code id} used; false if it already was. */
  public boolean firstUse(String id, Instant expiresAt) {
    Instant now = clock.instant();
    if (used.size() > 1_000) {
      used.values().removeIf(expiry -> expiry.isBefore(now));
    }
    return used.putIfAbsent(id, expiresAt) == null;
  }

  int size() {
    return used.size();
  }
}
