package io.fastvm.operator.vm;

/**
 * A Kubernetes Event about a VM.
 *
 * @param warning Warning (else Normal)
 * @param reason a CamelCase reason
 * @param message for humans
 */
public record VmEvent(boolean warning, String reason, String message) {

  public static VmEvent normal(String reason, String message) {
    return new VmEvent(false, reason, message);
  }

  public static VmEvent warning(String reason, String message) {
    return new VmEvent(true, reason, message);
  }
}
