package io.fastvm.operator.volume;

import io.fastvm.api.v1alpha1.VolumeStatus;
import io.fastvm.operator.status.PlannedEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What {@link VolumePlanner} decided: changes, the new status, events, when to look again. */
public record VolumePlan(
    List<VolumeAction> actions,
    VolumeStatus status,
    List<PlannedEvent> events,
    Optional<Duration> requeueAfter) {

  public VolumePlan {
    actions = List.copyOf(actions);
    events = List.copyOf(events);
  }
}
