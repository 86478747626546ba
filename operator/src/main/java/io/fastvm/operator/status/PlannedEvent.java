package io.fastvm.operator.status;

/**
 * A Kubernetes Event the planners of the operator's kinds ask for.
 *
 * @param warning Warning (else Normal)
 * @param reason a CamelCase reason
 * @param message for humans
 */
public record PlannedEvent(boolean warning, String reason, String message) {

  public static PlannedEvent normal(String reason, String message) {
    return new PlannedEvent(false, reason, message);
  }

  public static PlannedEvent warning(String reason, String message) {
    return new PlannedEvent(true, reason, message);
  }
}
