package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fastvm.contract.LauncherInvocation.ExitCode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/** What an observed VM pod says about the VM: read-only questions over a Pod. */
public record PodView(Pod pod) {

  public String name() {
    return pod.getMetadata().getName();
  }

  /** The run number the operator gave the pod (0 when unreadable). */
  public long run() {
    return VmMetadata.annotation(pod, VmMetadata.RUN_ANNOTATION).map(PodView::parseLong).orElse(0L);
  }

  public int failureCountAtStart() {
    return (int)
        (long)
            VmMetadata.annotation(pod, VmMetadata.FAILURE_COUNT_ANNOTATION)
                .map(PodView::parseLong)
                .orElse(0L);
  }

  public Optional<String> specHash() {
    return VmMetadata.annotation(pod, VmMetadata.SPEC_HASH_ANNOTATION);
  }

  public Optional<String> restartRequest() {
    return VmMetadata.annotation(pod, VmMetadata.POD_RESTART_ANNOTATION);
  }

  public Optional<Integer> vcpus() {
    return VmMetadata.annotation(pod, VmMetadata.VCPUS_ANNOTATION)
        .map(v -> (int) parseLong(v))
        .filter(v -> v > 0);
  }

  public String phase() {
    PodStatus status = pod.getStatus();
    return status == null || status.getPhase() == null ? "Pending" : status.getPhase();
  }

  public boolean succeeded() {
    return "Succeeded".equals(phase());
  }

  public boolean failed() {
    return "Failed".equals(phase());
  }

  /** The containers have stopped for good: the disks are free, the outcome is known. */
  public boolean terminal() {
    return succeeded() || failed();
  }

  public boolean terminating() {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  /**
   * When a deleted pod should be gone: its deletionTimestamp (the API server sets it to the time of
   * deletion plus the grace period).
   */
  public Optional<Instant> deletionDeadline() {
    return instant(pod.getMetadata().getDeletionTimestamp());
  }

  /** The kubelet stopped reporting: its node is unreachable. */
  public boolean unknown() {
    return "Unknown".equals(phase());
  }

  public boolean running() {
    return "Running".equals(phase());
  }

  public boolean ready() {
    return running() && condition("Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  public boolean unschedulable() {
    return "Pending".equals(phase())
        && condition("PodScheduled")
            .map(c -> "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason()))
            .orElse(false);
  }

  public String schedulingMessage() {
    return condition("PodScheduled").map(PodCondition::getMessage).orElse("");
  }

  public Optional<String> nodeName() {
    return Optional.ofNullable(pod.getSpec() == null ? null : pod.getSpec().getNodeName())
        .filter(n -> !n.isEmpty());
  }

  public Optional<String> podIp() {
    return Optional.ofNullable(pod.getStatus() == null ? null : pod.getStatus().getPodIP())
        .filter(ip -> !ip.isEmpty());
  }

  public List<String> podIps() {
    if (pod.getStatus() == null || pod.getStatus().getPodIPs() == null) {
      return podIp().map(List::of).orElse(List.of());
    }
    List<String> ips =
        pod.getStatus().getPodIPs().stream()
            .map(ip -> ip.getIp())
            .filter(ip -> ip != null && !ip.isEmpty())
            .toList();
    return ips.isEmpty() ? podIp().map(List::of).orElse(List.of()) : ips;
  }

  /** Why the VM container waits, e.g. ImagePullBackOff or CreateContainerConfigError. */
  public Optional<String> waitingReason() {
    return container()
        .map(ContainerStatus::getState)
        .map(s -> s.getWaiting())
        .map(w -> w.getReason() + (w.getMessage() == null ? "" : ": " + w.getMessage()));
  }

  public Optional<ContainerStateTerminated> terminated() {
    return container().map(ContainerStatus::getState).map(s -> s.getTerminated());
  }

  public Optional<Integer> exitCode() {
    return terminated().map(ContainerStateTerminated::getExitCode);
  }

  /**
   * Why the pod ended: the launcher's termination message (written to the termination log), else
   * the container's or the pod's reason.
   */
  public String outcomeMessage() {
    Optional<ContainerStateTerminated> terminated = terminated();
    if (terminated.isPresent()) {
      ContainerStateTerminated t = terminated.get();
      String message = t.getMessage() == null ? "" : t.getMessage().strip();
      String exit = "exit code " + t.getExitCode() + exitMeaning(t.getExitCode());
      if (!message.isEmpty()) {
        return message + " (" + exit + ")";
      }
      if (t.getReason() != null && !"Error".equals(t.getReason())) {
        return t.getReason() + " (" + exit + ")";
      }
      return exit;
    }
    PodStatus status = pod.getStatus();
    if (status != null && (status.getReason() != null || status.getMessage() != null)) {
      return String.join(
          ": ",
          java.util.stream.Stream.of(status.getReason(), status.getMessage())
              .filter(s -> s != null && !s.isEmpty())
              .toList());
    }
    return "the pod " + phase().toLowerCase();
  }

  /** When the VM container started running (or the pod started). */
  public Optional<Instant> startedAt() {
    Optional<Instant> fromContainer =
        terminated()
            .map(ContainerStateTerminated::getStartedAt)
            .or(
                () ->
                    container()
                        .map(ContainerStatus::getState)
                        .map(s -> s.getRunning())
                        .map(r -> r.getStartedAt()))
            .flatMap(PodView::instant);
    return fromContainer.or(
        () ->
            Optional.ofNullable(pod.getStatus())
                .map(PodStatus::getStartTime)
                .flatMap(PodView::instant));
  }

  /** When the pod ended; falls back to the Ready condition's last change. */
  public Optional<Instant> finishedAt() {
    return terminated()
        .map(ContainerStateTerminated::getFinishedAt)
        .flatMap(PodView::instant)
        .or(
            () ->
                condition("Ready")
                    .map(PodCondition::getLastTransitionTime)
                    .flatMap(PodView::instant));
  }

  public Optional<Duration> ranFor() {
    Optional<Instant> start = startedAt();
    Optional<Instant> end = finishedAt();
    if (start.isEmpty() || end.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(start.get(), end.get()));
  }

  private Optional<ContainerStatus> container() {
    PodStatus status = pod.getStatus();
    if (status == null || status.getContainerStatuses() == null) {
      return Optional.empty();
    }
    return status.getContainerStatuses().stream()
        .filter(c -> VmPod.CONTAINER.equals(c.getName()))
        .findFirst();
  }

  private Optional<PodCondition> condition(String type) {
    PodStatus status = pod.getStatus();
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  static String exitMeaning(Integer code) {
    if (code == null) {
      return "";
    }
    return switch (code) {
      case ExitCode.POWERED_OFF -> ", guest powered off";
      case ExitCode.INVALID -> ", invalid input";
      case ExitCode.START_FAILED -> ", QEMU failed to start";
      case ExitCode.CRASHED -> ", QEMU crashed";
      case ExitCode.STOPPED_HARD ->
          ", stopped hard: the guest did not power off within the grace period";
      case 137 -> ", killed";
      default -> "";
    };
  }

  static Optional<Instant> instant(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(timestamp));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static long parseLong(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
