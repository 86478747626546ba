package io.fastvm.operator.vm;

import io.fastvm.api.v1alpha1.RunStrategy;
import io.fastvm.operator.vm.RunState.Outcome;
import java.time.Duration;
import java.time.Instant;

/**
 * The run strategies as one pure function:
 *
 * <ul>
 *   <li>Always: run; restart after any exit (failures back off).
 *   <li>RerunOnFailure: run; restart after a failure (backing off) or a lost pod, not after the
 *       guest powered off.
 *   <li>Once: run once; never restart by itself.
 *   <li>Manual: run only on a start request, stop on a stop request; never restart by itself.
 *   <li>Halted: nothing runs.
 * </ul>
 *
 * A restart request (the restart annotation) restarts a running VM and starts a stopped one, for
 * every strategy but Halted, without waiting for a back-off. A run the launcher refused as invalid
 * input (exit code 2) is not repeated until the spec changes or a restart is requested.
 */
public final class RunPolicy {
  private RunPolicy() {}

  public static RunDecision decide(RunState s, Instant now, Duration nodeLostTimeout) {
    if (s.current().isPresent()) {
      return decideWithPod(s, s.current().get(), now, nodeLostTimeout);
    }
    if (!shouldRun(s)) {
      return stayStopped(s);
    }
    if (s.lastOutcome() == Outcome.REFUSED && !s.restartPending()) {
      return refused(s);
    }
    if (s.lastOutcome() == Outcome.FAILED && !s.restartPending()) {
      if (s.retryAt().isPresent() && now.isBefore(s.retryAt().get())) {
        return new RunDecision.BackOff(s.failures(), s.retryAt().get());
      }
      return new RunDecision.Start(s.failures(), false);
    }
    return new RunDecision.Start(0, s.restartPending());
  }

  private static RunDecision decideWithPod(
      RunState s, PodView pod, Instant now, Duration nodeLostTimeout) {
    if (pod.terminating()) {
      // A pod still there long after its grace period ran out is on a node that cannot confirm
      // the deletion (the usual form of a lost node: evicted, then stuck Terminating).
      if (!nodeLostTimeout.isZero() && !nodeLostTimeout.isNegative()) {
        var overdue = pod.deletionDeadline().map(d -> d.plus(nodeLostTimeout));
        if (overdue.isPresent() && !now.isBefore(overdue.get())) {
          return new RunDecision.ForceDelete(
              "pod "
                  + pod.name()
                  + " is still terminating "
                  + nodeLostTimeout.toSeconds()
                  + "s after its grace period on node "
                  + pod.nodeName().orElse("?")
                  + "; deleting it so the VM can start elsewhere");
        }
        if (overdue.isPresent()) {
          return new RunDecision.WaitForStop(overdue.get());
        }
      }
      return new RunDecision.WaitForStop(Instant.MAX);
    }
    if (pod.unknown()) {
      if (nodeLostTimeout.isZero() || nodeLostTimeout.isNegative()) {
        return new RunDecision.WaitForNode(Instant.MAX);
      }
      Instant deadline = s.unknownSince().orElse(now).plus(nodeLostTimeout);
      if (!now.isBefore(deadline)) {
        return new RunDecision.ForceDelete(
            "node "
                + pod.nodeName().orElse("?")
                + " stopped reporting pod "
                + pod.name()
                + " for "
                + nodeLostTimeout.toSeconds()
                + "s; deleting it so the VM can start elsewhere");
      }
      return new RunDecision.WaitForNode(deadline);
    }
    if (s.strategy() == RunStrategy.HALTED) {
      return new RunDecision.Stop("Halted", "runStrategy is Halted");
    }
    if (s.strategy() == RunStrategy.MANUAL && s.manualStopWins()) {
      return new RunDecision.Stop(
          "StopRequested", "stop requested (annotation " + VmMetadata.STOP_ANNOTATION + ")");
    }
    if (s.restartPending()) {
      return new RunDecision.Stop(
          "Restarting", "restart requested (annotation " + VmMetadata.POD_RESTART_ANNOTATION + ")");
    }
    return new RunDecision.Keep();
  }

  private static boolean shouldRun(RunState s) {
    return switch (s.strategy()) {
      case HALTED -> false;
      case ALWAYS -> true;
      case RERUN_ON_FAILURE ->
          s.restartPending()
              || !s.everRan()
              || s.lastOutcome() == Outcome.FAILED
              || s.lastOutcome() == Outcome.LOST;
      case ONCE -> s.restartPending() || !s.everRan();
      case MANUAL -> s.restartPending() && s.manualStartWins();
    };
  }

  private static RunDecision stayStopped(RunState s) {
    return switch (s.strategy()) {
      case HALTED -> new RunDecision.StayStopped("Halted", "runStrategy is Halted");
      case MANUAL ->
          s.manualStopWins()
              ? new RunDecision.StayStopped("StopRequested", "stopped on request")
              : outcomeOr(
                  s,
                  "WaitingForStartRequest",
                  "runStrategy is Manual: set annotation "
                      + VmMetadata.POD_RESTART_ANNOTATION
                      + " to start it");
      default -> outcomeOr(s, "Stopped", "the VM is stopped");
    };
  }

  private static RunDecision refused(RunState s) {
    return new RunDecision.StayStopped(
        "InvalidInput",
        s.lastOutcomeMessage()
            + "; not restarted until the spec changes or a restart is requested (annotation "
            + VmMetadata.POD_RESTART_ANNOTATION
            + ")");
  }

  private static RunDecision outcomeOr(RunState s, String reason, String message) {
    return switch (s.lastOutcome()) {
      case POWERED_OFF -> new RunDecision.StayStopped("PoweredOff", s.lastOutcomeMessage());
      case FAILED -> new RunDecision.StayStopped("Failed", s.lastOutcomeMessage());
      case REFUSED -> refused(s);
      case LOST -> new RunDecision.StayStopped("PodDeleted", s.lastOutcomeMessage());
      default -> new RunDecision.StayStopped(reason, message);
    };
  }
}
