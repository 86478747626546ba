package io.fastvm.operator.vm;

import java.time.Instant;

/** What the run strategy says to do with the VM's pod now. */
public sealed interface RunDecision {

  /** A pod runs as it should. */
  record Keep() implements RunDecision {}

  /**
   * The pod is shutting down; wait until it is gone before anything else, at most until {@code
   * deadline} (then it counts as on a lost node).
   */
  record WaitForStop(Instant deadline) implements RunDecision {}

  /** Shut the pod down gracefully. {@code reason} says why (Halted, StopRequested, Restart). */
  record Stop(String reason, String message) implements RunDecision {}

  /** The pod's node is lost for longer than allowed: delete it without waiting for the kubelet. */
  record ForceDelete(String message) implements RunDecision {}

  /** The pod's node stopped reporting; give it until {@code deadline}. */
  record WaitForNode(Instant deadline) implements RunDecision {}

  /** Create a pod. */
  record Start(int failureCount, boolean forRestartRequest) implements RunDecision {}

  /** Restart after the back-off delay of a failure. */
  record BackOff(int failureCount, Instant retryAt) implements RunDecision {}

  /** Nothing runs and nothing should. */
  record StayStopped(String reason, String message) implements RunDecision {}
}
