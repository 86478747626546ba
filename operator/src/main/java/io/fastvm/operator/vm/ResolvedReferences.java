package io.fastvm.operator.vm;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the VM's references resolve to.
 *
 * @param volumes each used Volume by name, in the order the spec first mentions it (resolved ones
 *     only)
 * @param cloudInitSecret the Secret with the rendered NoCloud seed, when the VM has cloud-init and
 *     its CloudInitConfig is ready
 * @param volumeProblems Volumes that are missing or not ready
 * @param cloudInitProblems the CloudInitConfig, if it is missing or not ready
 */
public record ResolvedReferences(
    Map<String, VolumeUse> volumes,
    Optional<String> cloudInitSecret,
    List<ReferenceProblem> volumeProblems,
    List<ReferenceProblem> cloudInitProblems) {

  public boolean complete() {
    return volumeProblems.isEmpty() && cloudInitProblems.isEmpty();
  }
}
