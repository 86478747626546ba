package io.fastvm.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fastvm.operator.vm.VmJson;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The JSON merge patch (RFC 7386) that turns the old status into the new one: changed fields with
 * their new value, removed fields as null, nothing else. Sent to the status subresource, so spec
 * and metadata are never touched; empty when nothing changed, so an idle reconcile writes nothing.
 * With the resourceVersion of the VM the status was computed from, the API server applies the patch
 * only to that very version and answers 409 Conflict otherwise: a status derived from a VM that has
 * changed since is never written over a newer one. For the status of any of the operator's kinds.
 */
public final class StatusPatch {
  private StatusPatch() {}

  public static Optional<String> between(Object old, Object now) {
    return between(old, now, null);
  }

  /** As {@link #between(Object, Object)}, guarded by a version. */
  public static Optional<String> between(Object old, Object now, String resourceVersion) {
    ObjectNode before = old == null ? VmJson.JSON.createObjectNode() : VmJson.JSON.valueToTree(old);
    ObjectNode after = VmJson.JSON.valueToTree(now);
    TreeSet<String> fields = new TreeSet<>();
    before.fieldNames().forEachRemaining(fields::add);
    after.fieldNames().forEachRemaining(fields::add);
    ObjectNode status = VmJson.JSON.createObjectNode();
    for (String field : fields) {
      JsonNode a = before.get(field);
      JsonNode b = after.get(field);
      if (b == null || b.isNull()) {
        if (a != null && !a.isNull()) {
          status.set(field, NullNode.getInstance());
        }
      } else if (!b.equals(a)) {
        status.set(field, b);
      }
    }
    if (status.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode patch = VmJson.JSON.createObjectNode();
    if (resourceVersion != null) {
      patch.putObject("metadata").put("resourceVersion", resourceVersion);
    }
    patch.set("status", status);
    return Optional.of(VmJson.json(patch));
  }
}
