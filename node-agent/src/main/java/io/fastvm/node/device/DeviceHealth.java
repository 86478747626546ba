package io.fastvm.node.device;

/** Whether a node device works now; checked by the device plugin before it advertises it. */
@FunctionalInterface
public interface DeviceHealth {

  /** The answer, with why (for the log). */
  record Verdict(boolean healthy, String reason) {
    public static Verdict healthy(String reason) {
      return new Verdict(true, reason);
    }

    public static Verdict unhealthy(String reason) {
      return new Verdict(false, reason);
    }
  }

  Verdict check() throws InterruptedException;
}
