package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fastvm.api.v1alpha1.AccessMode;
import io.fastvm.api.v1alpha1.Volume;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the pods of overlay clones may run. Each mounts its clone's base read-only; a base whose
 * PVC only one node can mount (ReadWriteOnce, the default) is usable by many pods, but all on the
 * node that mounts it. So the pods of such clones carry a label per base and a required pod
 * affinity to the pods with that label on the same node: the first goes anywhere, the others follow
 * it. Bases that are ReadOnlyMany or ReadWriteMany need none.
 */
public final class CloneBaseAffinity {
  private CloneBaseAffinity() {}

  static final String LABEL_PREFIX = "fastvm.io/base-";
  static final String HOSTNAME = "kubernetes.io/hostname";

  /** The labels that mark a pod as using each base (by namespace and name). */
  static Map<String, String> labels(List<Volume> volumes) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (Volume base : singleNodeBases(volumes)) {
      labels.put(label(base), "true");
    }
    return labels;
  }

  /** The VM's own affinity, plus one required pod-affinity term per single-node base. */
  static Affinity affinity(Affinity own, List<Volume> volumes) {
    List<Volume> bases = singleNodeBases(volumes);
    if (bases.isEmpty()) {
      return own;
    }
    List<PodAffinityTerm> terms = new ArrayList<>();
    for (Volume base : bases) {
      terms.add(
          new PodAffinityTermBuilder()
              .withNewLabelSelector()
              .addToMatchLabels(label(base), "true")
              .endLabelSelector()
              .withTopologyKey(HOSTNAME)
              .build());
    }
    AffinityBuilder affinity = own == null ? new AffinityBuilder() : new AffinityBuilder(own);
    if (own != null && own.getPodAffinity() != null) {
      List<PodAffinityTerm> required =
          new ArrayList<>(
              own.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null
                  ? List.of()
                  : own.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution());
      required.addAll(terms);
      return affinity
          .editPodAffinity()
          .withRequiredDuringSchedulingIgnoredDuringExecution(required)
          .endPodAffinity()
          .build();
    }
    return affinity
        .withNewPodAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(terms)
        .endPodAffinity()
        .build();
  }

  /** The bases (of the overlay clones among {@code volumes}) that only one node can mount. */
  static List<Volume> singleNodeBases(List<Volume> volumes) {
    Map<String, Volume> byName = new LinkedHashMap<>();
    volumes.forEach(v -> byName.put(v.getMetadata().getName(), v));
    List<Volume> bases = new ArrayList<>();
    for (Volume volume : volumes) {
      String base = volume.getStatus() == null ? null : volume.getStatus().backingVolume();
      Volume found = base == null ? null : byName.get(base);
      if (found != null && singleNode(found) && !bases.contains(found)) {
        bases.add(found);
      }
    }
    return bases;
  }

  private static boolean singleNode(Volume volume) {
    List<AccessMode> modes = volume.getSpec().accessModes();
    return modes == null
        || modes.isEmpty()
        || modes.stream()
            .noneMatch(m -> m == AccessMode.READ_ONLY_MANY || m == AccessMode.READ_WRITE_MANY);
  }

  private static String label(Volume base) {
    return LABEL_PREFIX
        + VmMetadata.shortHash(
            base.getMetadata().getNamespace() + "/" + base.getMetadata().getName(), 16);
  }
}
