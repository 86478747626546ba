package io.fastvm.console.session;

import io.fastvm.console.auth.UserInfo;
import io.fastvm.console.target.VmTarget;
import io.fastvm.contract.console.ConsoleChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A redeemed link: one user's access to one VM's console over one protocol, reached through a
 * cookie holding {@code secret} (only its hash is kept). Bound to the VM's pod at redeem time, so a
 * restarted VM ends the session. Lives until its hard expiry, or until it idles, the VM stops or
 * the user's access is revoked.
 */
public final class Session {
  private final String id;
  private final byte[] secretHash;
  private final UserInfo user;
  private final VmTarget target;
  private final ConsoleChannel protocol;
  private final boolean viewOnly;
  private final Instant createdAt;
  private final Instant hardExpiry;
  private final String source;
  private final AtomicLong lastActivityMillis;
  private final Set<SessionConnection> connections = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicInteger connectionSlots =
      new java.util.concurrent.atomic.AtomicInteger();
  private final AtomicReference<EndReason> ended = new AtomicReference<>();
  private final LongAdder bytesToClient = new LongAdder();
  private final LongAdder bytesToVm = new LongAdder();
  private volatile Instant endedAt;

  public Session(
      String id,
      String secret,
      UserInfo user,
      VmTarget target,
      ConsoleChannel protocol,
      boolean viewOnly,
      Instant createdAt,
      Duration maxLifetime,
      String source) {
    this.id = id;
    this.secretHash = hash(secret);
    this.user = user;
    this.target = target;
    this.protocol = protocol;
    this.viewOnly = viewOnly;
    this.createdAt = createdAt;
    this.hardExpiry = createdAt.plus(maxLifetime);
    this.source = source;
    this.lastActivityMillis = new AtomicLong(createdAt.toEpochMilli());
  }

  /** Constant-time check of a cookie value against this session's secret. */
  public boolean matches(String secret) {
    return secret != null && MessageDigest.isEqual(secretHash, hash(secret));
  }

  /** User input or an explicit extension: pushes the idle deadline out. */
  public void touch(Instant now) {
    lastActivityMillis.accumulateAndGet(now.toEpochMilli(), Math::max);
  }

  public Instant lastActivity() {
    return Instant.ofEpochMilli(lastActivityMillis.get());
  }

  /** When the session ends without further input: idle deadline or hard expiry. */
  public Instant expiresAt(Duration idleLimit) {
    Instant idle = lastActivity().plus(idleLimit);
    return idle.isBefore(hardExpiry) ? idle : hardExpiry;
  }

  /** Marks the session ended; true only for the first caller. */
  boolean markEnded(EndReason reason, Instant now) {
    if (ended.compareAndSet(null, reason)) {
      endedAt = now;
      return true;
    }
    return false;
  }

  public EndReason endReason() {
    return ended.get();
  }

  public boolean isEnded() {
    return ended.get() != null;
  }

  public Instant endedAt() {
    return endedAt;
  }

  public Set<SessionConnection> connections() {
    return connections;
  }

  /**
   * Takes one of the session's {@code max} connection slots before a WebSocket is upgraded and
   * bridged; false when all are taken. Counting only bridged connections would let upgrades that
   * arrive together all pass the check. Every slot taken is given back with {@link
   * #releaseConnection()}, once its upgrade failed or its bridge finished.
   */
  public boolean reserveConnection(int max) {
    while (true) {
      int taken = connectionSlots.get();
      if (taken >= max) {
        return false;
      }
      if (connectionSlots.compareAndSet(taken, taken + 1)) {
        return true;
      }
    }
  }

  public void releaseConnection() {
    connectionSlots.decrementAndGet();
  }

  public void countToClient(long bytes) {
    bytesToClient.add(bytes);
  }

  public void countToVm(long bytes) {
    bytesToVm.add(bytes);
  }

  public long bytesToClient() {
    return bytesToClient.sum();
  }

  public long bytesToVm() {
    return bytesToVm.sum();
  }

  public String id() {
    return id;
  }

  public UserInfo user() {
    return user;
  }

  public VmTarget target() {
    return target;
  }

  public String namespace() {
    return target.namespace();
  }

  public String vm() {
    return target.name();
  }

  public ConsoleChannel protocol() {
    return protocol;
  }

  public boolean viewOnly() {
    return viewOnly;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant hardExpiry() {
    return hardExpiry;
  }

  public String source() {
    return source;
  }

  private static byte[] hash(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
