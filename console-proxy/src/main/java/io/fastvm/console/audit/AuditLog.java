package io.fastvm.console.audit;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * Writes each {@link AuditEvent} as one JSON line ({@code "audit":"fastvm-console"} marks them
 * among other logs), to stdout in production so the cluster's log pipeline keeps them.
 */
public final class AuditLog {
  private final Consumer<String> sink;
  private final Clock clock;

  public AuditLog(Consumer<String> sink, Clock clock) {
    this.sink = sink;
    this.clock = clock;
  }

  public static AuditLog stdout(Clock clock) {
    return new AuditLog(
        line -> {
          synchronized (System.out) {
            System.out.println(line);
          }
        },
        clock);
  }

  public void record(AuditEvent event) {
    sink.accept(format(event));
  }

  String format(AuditEvent e) {
    JsonObject json = new JsonObject().put("ts", clock.instant().toString());
    json.put("audit", "fastvm-console").put("event", e.event()).put("outcome", e.outcome());
    if (e.status() != 0) {
      json.put("status", e.status());
    }
    putIfSet(json, "user", e.user());
    putIfSet(json, "namespace", e.namespace());
    putIfSet(json, "vm", e.vm());
    putIfSet(json, "protocol", e.protocol());
    putIfSet(json, "viewOnly", e.viewOnly());
    putIfSet(json, "source", e.source());
    putIfSet(json, "session", e.session());
    putIfSet(json, "durationMs", e.durationMs());
    putIfSet(json, "bytesToClient", e.bytesToClient());
    putIfSet(json, "bytesToVm", e.bytesToVm());
    return json.encode();
  }

  private static void putIfSet(JsonObject json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }
}
