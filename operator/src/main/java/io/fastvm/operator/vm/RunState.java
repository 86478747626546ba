package io.fastvm.operator.vm;

import io.fastvm.api.v1alpha1.RunStrategy;
import java.time.Instant;
import java.util.Optional;

/**
 * The facts the run strategy decides on, derived from the observed pods, the VM's annotations and
 * its last status.
 *
 * @param strategy the VM's runStrategy
 * @param current the pod that holds the VM (not terminal), if any
 * @param lastOutcome how the last run ended, when no pod holds the VM
 * @param lastOutcomeMessage why it ended
 * @param everRan whether a run happened since the VM was last stopped on purpose
 * @param restartPending a restart request (annotation) not acted on yet
 * @param manualStartWins Manual: the restart request is later than any stop request
 * @param manualStopWins Manual: a stop request is later than any start request
 * @param failures consecutive failures counting the last run, if it failed
 * @param retryAt when the back-off after the last failure ends
 * @param unknownSince since when the current pod's node stopped reporting
 */
public record RunState(
    RunStrategy strategy,
    Optional<PodView> current,
    Outcome lastOutcome,
    String lastOutcomeMessage,
    boolean everRan,
    boolean restartPending,
    boolean manualStartWins,
    boolean manualStopWins,
    int failures,
    Optional<Instant> retryAt,
    Optional<Instant> unknownSince) {

  /** How the last run ended. */
  public enum Outcome {
    /** No run since the VM was created or stopped on purpose. */
    NONE,
    /** The guest powered off (exit 0). */
    POWERED_OFF,
    /** The launcher or QEMU failed, or the pod was evicted or its node lost. */
    FAILED,
    /**
     * The launcher refused its input (exit code 2) and the spec has not changed since: starting
     * again would fail the same way.
     */
    REFUSED,
    /** The pod disappeared without the operator deleting it. */
    LOST,
    /** The operator stopped it on purpose (Halted, stop request). */
    STOPPED
  }
}
