package io.fastvm.console.session;

import io.fastvm.console.auth.Authorizer;
import io.fastvm.console.target.TargetLookup;
import io.fastvm.console.target.TargetResolver;
import io.fastvm.console.target.VmTarget;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ends sessions that expired or idled, and every {@code interval} asks the API server again whether
 * each session's VM still runs in the same pod and whether its user may still open the console
 * (SubjectAccessReview), so stopping the VM or removing a RoleBinding cuts open consoles. When the
 * API server cannot be reached, sessions are kept and the check is retried next time.
 */
public final class SessionSupervisor {
  private static final System.Logger LOG = System.getLogger(SessionSupervisor.class.getName());

  private final Vertx vertx;
  private final SessionStore store;
  private final TargetResolver resolver;
  private final Authorizer authorizer;
  private final Clock clock;
  private final Duration idleLimit;
  private final Duration interval;
  private final AtomicBoolean checking = new AtomicBoolean();
  private long timer = -1;

  public SessionSupervisor(
      Vertx vertx,
      SessionStore store,
      TargetResolver resolver,
      Authorizer authorizer,
      Clock clock,
      Duration idleLimit,
      Duration interval) {
    this.vertx = vertx;
    this.store = store;
    this.resolver = resolver;
    this.authorizer = authorizer;
    this.clock = clock;
    this.idleLimit = idleLimit;
    this.interval = interval;
  }

  public void start() {
    long tick = Math.max(100, Math.min(interval.toMillis(), 1000));
    // Re-checks are paced by real time, expiry by the (possibly test-driven) clock.
    long[] lastRecheck = {System.nanoTime()};
    timer =
        vertx.setPeriodic(
            tick,
            id -> {
              endExpired();
              if (System.nanoTime() - lastRecheck[0] >= interval.toNanos()) {
                lastRecheck[0] = System.nanoTime();
                recheckAsync();
              }
            });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Ends the sessions past their hard expiry or idle limit. */
  public void endExpired() {
    Instant now = clock.instant();
    for (Session session : store.active()) {
      if (!now.isBefore(session.hardExpiry())) {
        store.end(session, EndReason.EXPIRED);
      } else if (!now.isBefore(session.lastActivity().plus(idleLimit))) {
        store.end(session, EndReason.IDLE);
      }
    }
  }

  private void recheckAsync() {
    if (!checking.compareAndSet(false, true) || store.size() == 0) {
      checking.set(false);
      return;
    }
    vertx
        .executeBlocking(
            () -> {
              recheck(store.active());
              return null;
            },
            false)
        .onComplete(done -> checking.set(false));
  }

  /** One round of VM and RBAC checks, each asked once per VM and per user and VM. Blocking. */
  public void recheck(Collection<Session> sessions) {
    Map<String, TargetLookup> vms = new HashMap<>();
    Map<String, Boolean> grants = new HashMap<>();
    for (Session session : sessions) {
      if (session.isEnded()) {
        continue;
      }
      try {
        String vmKey = session.namespace() + "/" + session.vm();
        TargetLookup lookup =
            vms.computeIfAbsent(vmKey, k -> resolver.resolve(session.namespace(), session.vm()));
        if (!samePod(lookup, session.target())) {
          store.end(session, EndReason.VM_STOPPED);
          continue;
        }
        String grantKey = session.user().username() + "\n" + vmKey;
        boolean allowed =
            grants.computeIfAbsent(
                grantKey,
                k -> authorizer.mayOpenConsole(session.user(), session.namespace(), session.vm()));
        if (!allowed) {
          store.end(session, EndReason.ACCESS_REVOKED);
        }
      } catch (RuntimeException e) {
        LOG.log(
            Level.WARNING,
            "console session re-check failed, keeping session " + session.id() + ": " + e);
      }
    }
  }

  private static boolean samePod(TargetLookup lookup, VmTarget bound) {
    return lookup.running()
        && lookup.target().uid().equals(bound.uid())
        && lookup.target().podName().equals(bound.podName())
        && lookup.target().podIp().equals(bound.podIp());
  }
}
