package io.fastvm.node.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fastvm.node.metrics.ProcFs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Where a VM pod's network namespace is, as the agent can enter it. */
@FunctionalInterface
public interface PodNetworkNamespace {
  /** The pod's network namespace, or empty while it has none (no sandbox yet). */
  Optional<Path> of(Pod pod) throws IOException;

  /** The pod is gone: what was kept for it can go. */
  default void forget(String podUid) {}

  /**
   * From the host's {@code /proc} (the agent runs with hostPID): {@code ns/net} of a process in the
   * pod's cgroup. The process found is remembered and checked first, so a round costs one cgroup
   * read per pod, not a look at every process of the node.
   */
  static PodNetworkNamespace of(ProcFs proc) {
    Map<String, Long> known = new ConcurrentHashMap<>();
    return new PodNetworkNamespace() {
      @Override
      public Optional<Path> of(Pod pod) throws IOException {
        String uid = pod.getMetadata().getUid();
        Long pid = known.get(uid);
        if (pid == null || !proc.ofPod(pid, uid)) {
          Optional<Long> found = proc.processOf(uid);
          found.ifPresentOrElse(p -> known.put(uid, p), () -> known.remove(uid));
          pid = found.orElse(null);
        }
        return Optional.ofNullable(pid).map(proc::networkNamespace);
      }

      @Override
      public void forget(String podUid) {
        known.remove(podUid);
      }
    };
  }
}
