package io.fastvm.operator.vm;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the VM's references resolve to.
 *
 * @param volumes each used Volume by name, in the order the spec first mentions it (resolved ones
 *     only)
 * @param cloudInitSecret the VM's seed Secret, when the VM has cloud-init and its CloudInitConfig
 *     is ready
 * @param cloudInitInstance the seed's instance-id (the pod is annotated with it)
 * @param volumeProblems Volumes that are missing or not ready
 * @param cloudInitProblems the CloudInitConfig, if it is missing or not ready
 */
public record ResolvedReferences(
    Map<String, VolumeUse> volumes,
    Optional<String> cloudInitSecret,
    Optional<String> cloudInitInstance,
    List<ReferenceProblem> volumeProblems,
    List<ReferenceProblem> cloudInitProblems) {

  /** With the VM's seed decided: its Secret and instance-id, or why it cannot be made yet. */
  public ResolvedReferences withSeed(VmSeed.Decision seed) {
    List<ReferenceProblem> problems = new java.util.ArrayList<>(cloudInitProblems);
    seed.problem().ifPresent(problems::add);
    return new ResolvedReferences(
        volumes, seed.secretName(), seed.instanceId(), volumeProblems, List.copyOf(problems));
  }

  public boolean complete() {
    return volumeProblems.isEmpty() && cloudInitProblems.isEmpty();
  }
}
