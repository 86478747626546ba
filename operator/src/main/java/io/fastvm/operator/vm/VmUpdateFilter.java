package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fastvm.api.v1alpha1.GuestStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Which updates of a VirtualMachine are worth a reconcile: spec changes (generation), annotation
 * changes (restart and stop requests do not bump the generation), labels, deletion, and the node
 * agent's {@code status.guest} (the AgentConnected condition and the NICs' addresses follow it).
 * Not the operator's own status changes: it already knows what it wrote — reconciling on its own
 * status patches would double the reconciles for nothing.
 */
public class VmUpdateFilter implements OnUpdateFilter<VirtualMachine> {
  @Override
  public boolean accept(VirtualMachine updated, VirtualMachine old) {
    ObjectMeta a = old.getMetadata();
    ObjectMeta b = updated.getMetadata();
    return !Objects.equals(a.getGeneration(), b.getGeneration())
        || !Objects.equals(a.getAnnotations(), b.getAnnotations())
        || !Objects.equals(a.getLabels(), b.getLabels())
        || !Objects.equals(a.getDeletionTimestamp(), b.getDeletionTimestamp())
        || !Objects.equals(a.getFinalizers(), b.getFinalizers())
        || !Objects.equals(guest(old), guest(updated));
  }

  private static GuestStatus guest(VirtualMachine vm) {
    return vm.getStatus() == null ? null : vm.getStatus().guest();
  }
}
