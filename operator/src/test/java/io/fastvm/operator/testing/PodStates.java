package io.fastvm.operator.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fastvm.operator.vm.VmPod;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Pod statuses as a kubelet would report them, for pure tests and the fake kubelet. */
public final class PodStates {
  private PodStates() {}

  public static final String NODE = "node-1";
  public static final String POD_IP = "10.244.0.17";

  private static String ts(Instant at) {
    return at.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  public static PodStatus pending() {
    return new PodStatusBuilder().withPhase("Pending").build();
  }

  public static PodStatus unschedulable(String message) {
    return new PodStatusBuilder()
        .withPhase("Pending")
        .addToConditions(
            new PodConditionBuilder()
                .withType("PodScheduled")
                .withStatus("False")
                .withReason("Unschedulable")
                .withMessage(message)
                .build())
        .build();
  }

  /** The container runs; {@code ready} once the launcher reported QEMU up. */
  public static PodStatus running(boolean ready, Instant startedAt) {
    return new PodStatusBuilder()
        .withPhase("Running")
        .withPodIP(POD_IP)
        .withPodIPs(new PodIPBuilder().withIp(POD_IP).build())
        .withStartTime(ts(startedAt))
        .addToConditions(
            new PodConditionBuilder().withType("PodScheduled").withStatus("True").build(),
            new PodConditionBuilder()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .withLastTransitionTime(ts(startedAt))
                .build())
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName(VmPod.CONTAINER)
                .withReady(ready)
                .withNewState()
                .withNewRunning()
                .withStartedAt(ts(startedAt))
                .endRunning()
                .endState()
                .build())
        .build();
  }

  /** The launcher exited: 0 = guest powered off, 2/3/4 = failures. */
  public static PodStatus exited(int exitCode, String message, Instant startedAt, Instant at) {
    return new PodStatusBuilder()
        .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
        .withStartTime(ts(startedAt))
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName(VmPod.CONTAINER)
                .withReady(false)
                .withNewState()
                .withNewTerminated()
                .withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error")
                .withMessage(message)
                .withStartedAt(ts(startedAt))
                .withFinishedAt(ts(at))
                .endTerminated()
                .endState()
                .build())
        .build();
  }

  public static PodStatus unknown() {
    return new PodStatusBuilder().withPhase("Unknown").build();
  }

  /** A copy of {@code pod} scheduled to {@link #NODE} with {@code status}. */
  public static Pod with(Pod pod, PodStatus status) {
    return new PodBuilder(pod).editSpec().withNodeName(NODE).endSpec().withStatus(status).build();
  }

  public static Pod terminating(Pod pod, Instant at) {
    return new PodBuilder(pod).editMetadata().withDeletionTimestamp(ts(at)).endMetadata().build();
  }
}
