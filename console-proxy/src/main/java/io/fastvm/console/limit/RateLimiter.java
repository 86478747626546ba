package io.fastvm.console.limit;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A token bucket per key: up to {@code perMinute} at once, refilled at {@code perMinute} per
 * minute. Buckets that are full again are dropped so keys do not pile up.
 */
public final class RateLimiter {
  private final double capacity;
  private final double perMilli;
  private final Clock clock;
  private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  public RateLimiter(int perMinute, Clock clock) {
    this.capacity = perMinute;
    this.perMilli = perMinute / 60_000.0;
    this.clock = clock;
  }

  /** Takes one token for {@code key}; false when its bucket is empty. */
  public boolean tryAcquire(String key) {
    long now = clock.millis();
    boolean[] granted = new boolean[1];
    buckets.compute(
        key,
        (k, bucket) -> {
          Bucket b = bucket == null ? new Bucket(capacity, now) : bucket;
          b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perMilli);
          b.at = now;
          if (b.tokens >= 1) {
            b.tokens -= 1;
            granted[0] = true;
          }
          return b;
        });
    if (buckets.size() > 10_000) {
      buckets.values().removeIf(b -> b.tokens + (now - b.at) * perMilli >= capacity);
    }
    return granted[0];
  }

  /** Seconds until {@code key} gets a token again (for Retry-After). */
  public long retryAfterSeconds(String key) {
    Bucket b = buckets.get(key);
    if (b == null || perMilli <= 0) {
      return 60;
    }
    double missing = 1 - b.tokens;
    return Math.max(1, (long) Math.ceil(missing / perMilli / 1000));
  }
}
