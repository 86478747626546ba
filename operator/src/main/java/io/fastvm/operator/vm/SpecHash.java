package io.fastvm.operator.vm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * Hash of the part of a VM's spec that a running VM cannot take without a reboot: all of it except
 * {@code runStrategy}. A running pod carries the hash it was started from; when the spec's hash
 * differs, the VM shows RestartRequired and the next start applies the change.
 */
public final class SpecHash {
  private SpecHash() {}

  public static String of(VirtualMachineSpec spec) {
    return VmMetadata.shortHash(VmJson.json(rebootRelevant(spec)), 16);
  }

  /** Top-level spec fields whose values differ between two specs (reboot-relevant ones only). */
  public static List<String> changedFields(VirtualMachineSpec before, VirtualMachineSpec after) {
    ObjectNode a = rebootRelevant(before);
    ObjectNode b = rebootRelevant(after);
    TreeSet<String> names = new TreeSet<>();
    a.fieldNames().forEachRemaining(names::add);
    b.fieldNames().forEachRemaining(names::add);
    List<String> changed = new ArrayList<>();
    for (String name : names) {
      if (!a.path(name).equals(b.path(name))) {
        changed.add(name);
      }
    }
    return changed;
  }

  private static ObjectNode rebootRelevant(VirtualMachineSpec spec) {
    ObjectNode node = VmJson.JSON.valueToTree(spec);
    node.remove("runStrategy");
    // Empty lists and maps mean the same as absent ones.
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (node.get(name).isContainerNode() && node.get(name).isEmpty()) {
        it.remove();
      }
    }
    return node;
  }
}
