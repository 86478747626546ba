package io.fastvm.operator.cloudinit;

import io.fabric8.kubernetes.api.model.Secret;
import io.fastvm.api.v1alpha1.CloudInitConfigStatus;
import io.fastvm.operator.status.PlannedEvent;
import java.util.List;
import java.util.Optional;

/**
 * What {@link CloudInitPlanner} decided.
 *
 * @param write the Secret to create or update with the rendered user-data, if it is not as wanted
 * @param status the new status
 * @param events events to post
 */
public record CloudInitPlan(
    Optional<Secret> write, CloudInitConfigStatus status, List<PlannedEvent> events) {

  public CloudInitPlan {
    events = List.copyOf(events);
  }
}
