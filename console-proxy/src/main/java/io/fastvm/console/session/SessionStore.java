package io.fastvm.console.session;

import io.fastvm.console.audit.AuditEvent;
import io.fastvm.console.audit.AuditLog;
import io.fastvm.console.metrics.ConsoleMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The open sessions, with the per-user and per-VM limits checked when one opens. Ended sessions
 * stay visible for a while so a page can show why its console closed.
 */
public final class SessionStore {
  private static final Duration KEEP_ENDED = Duration.ofMinutes(10);

  private final ConcurrentMap<String, Session> open = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Session> ended = new ConcurrentHashMap<>();
  private final int maxPerUser;
  private final int maxPerVm;
  private final AuditLog audit;
  private final ConsoleMetrics metrics;
  private final Clock clock;

  /** Whether a session could be opened. */
  public enum Admission {
    OPENED,
    USER_LIMIT,
    VM_LIMIT
  }

  public SessionStore(
      int maxPerUser, int maxPerVm, AuditLog audit, ConsoleMetrics metrics, Clock clock) {
    this.maxPerUser = maxPerUser;
    this.maxPerVm = maxPerVm;
    this.audit = audit;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Adds the session unless its user or VM already has the most sessions allowed. */
  public synchronized Admission open(Session session) {
    long ofUser = 0;
    long ofVm = 0;
    for (Session s : open.values()) {
      if (s.user().username().equals(session.user().username())) {
        ofUser++;
      }
      if (s.namespace().equals(session.namespace()) && s.vm().equals(session.vm())) {
        ofVm++;
      }
    }
    if (ofUser >= maxPerUser) {
      return Admission.USER_LIMIT;
    }
    if (ofVm >= maxPerVm) {
      return Admission.VM_LIMIT;
    }
    open.put(session.id(), session);
    metrics.sessionOpened(session.protocol());
    return Admission.OPENED;
  }

  /** An open session, or one that ended recently (check {@link Session#isEnded()}). */
  public Optional<Session> find(String id) {
    Session session = open.get(id);
    return Optional.ofNullable(session != null ? session : ended.get(id));
  }

  public Collection<Session> active() {
    return List.copyOf(open.values());
  }

  public int size() {
    return open.size();
  }

  /** Ends a session once: cuts its connections, counts and audits it. */
  public void end(Session session, EndReason reason) {
    Instant now = clock.instant();
    if (!session.markEnded(reason, now)) {
      return;
    }
    if (open.remove(session.id(), session)) {
      metrics.sessionEnded(session.protocol());
    }
    ended.put(session.id(), session);
    ended.values().removeIf(s -> s.endedAt().plus(KEEP_ENDED).isBefore(now));
    for (SessionConnection connection : List.copyOf(session.connections())) {
      connection.terminate(reason);
    }
    audit.record(
        AuditEvent.of("end", reason.word(), 0)
            .user(session.user().username())
            .vm(session.namespace(), session.vm())
            .protocol(session.protocol().wireName())
            .viewOnly(session.viewOnly())
            .source(session.source())
            .session(session.id())
            .traffic(
                Duration.between(session.createdAt(), now).toMillis(),
                session.bytesToClient(),
                session.bytesToVm()));
  }
}
