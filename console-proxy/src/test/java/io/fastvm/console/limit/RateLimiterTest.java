package io.fastvm.console.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.console.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  @Test
  void allowsABurstThenRefillsOverTheMinute() {
    MutableClock clock = MutableClock.systemNow();
    RateLimiter limiter = new RateLimiter(3, clock);
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isFalse();
    assertThat(limiter.tryAcquire("bob")).isTrue();
    assertThat(limiter.retryAfterSeconds("alice")).isBetween(1L, 20L);
    clock.advance(Duration.ofSeconds(20));
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isFalse();
  }
}
