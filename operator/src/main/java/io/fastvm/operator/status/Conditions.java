package io.fastvm.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Kubernetes-shaped conditions of the operator's kinds, and how a new set takes over the old. */
public final class Conditions {
  private Conditions() {}

  /** A condition as computed, before it gets its transition time. */
  public record Wanted(String type, boolean status, String reason, String message) {}

  /**
   * The new conditions, each keeping the old {@code lastTransitionTime} while its status stays the
   * same, so that reconciling again never changes a condition that did not change (no flapping).
   */
  public static List<Condition> merge(
      List<Condition> old, List<Wanted> wanted, Instant now, Long generation) {
    List<Condition> result = new ArrayList<>();
    String timestamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (Wanted w : wanted) {
      String status = w.status() ? "True" : "False";
      String since =
          find(old, w.type())
              .filter(c -> status.equals(c.getStatus()))
              .map(Condition::getLastTransitionTime)
              .orElse(timestamp);
      result.add(
          new ConditionBuilder()
              .withType(w.type())
              .withStatus(status)
              .withReason(w.reason())
              .withMessage(w.message())
              .withLastTransitionTime(since)
              .withObservedGeneration(generation)
              .build());
    }
    return result;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst();
  }
}
