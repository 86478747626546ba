package io.fastvm.console.testing;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Collects the proxy's audit lines (and echoes them to the test output). */
public final class AuditCapture implements Consumer<String> {
  private final List<JsonObject> lines = new CopyOnWriteArrayList<>();

  @Override
  public void accept(String line) {
    System.out.println("AUDIT " + line);
    lines.add(new JsonObject(line));
  }

  public List<JsonObject> lines() {
    return List.copyOf(lines);
  }

  public List<JsonObject> events(String event) {
    return lines.stream().filter(l -> event.equals(l.getString("event"))).toList();
  }

  /** The newest line matching, waiting up to {@code timeout} for it. */
  public JsonObject await(Duration timeout, Predicate<JsonObject> matching) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<JsonObject> all = lines();
      for (int i = all.size() - 1; i >= 0; i--) {
        if (matching.test(all.get(i))) {
          return all.get(i);
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("no audit line matched within " + timeout + "; lines: " + lines);
  }

  public JsonObject await(String event, String outcome) {
    return await(
        Duration.ofSeconds(10),
        l -> event.equals(l.getString("event")) && outcome.equals(l.getString("outcome")));
  }

  public void clear() {
    lines.clear();
  }
}
