package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds fields the schema does not declare, as {@code kubectl apply} with strict field validation
 * reports them, and prunes them as the API server would, so later steps see what would be stored.
 * Fields under {@code x-kubernetes-preserve-unknown-fields} are kept.
 */
final class UnknownFields {
  private UnknownFields() {}

  /** The fields of ObjectMeta a client may send. */
  private static final Set<String> OBJECT_META =
      Set.of(
          "name",
          "generateName",
          "namespace",
          "selfLink",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "labels",
          "annotations",
          "ownerReferences",
          "finalizers",
          "managedFields");

  /** Removes unknown fields from the whole object (root schema) and reports each. */
  static void prune(JsonNode object, JSONSchemaProps rootSchema, List<Violation> out) {
    prune(object, rootSchema, "", true, out);
  }

  private static void prune(
      JsonNode node, JSONSchemaProps schema, String path, boolean resource, List<Violation> out) {
    if (node instanceof ArrayNode array) {
      Schemas.items(schema)
          .ifPresent(
              items -> {
                for (int i = 0; i < array.size(); i++) {
                  prune(array.get(i), items, FieldPaths.index(path, i), false, out);
                }
              });
      return;
    }
    if (!(node instanceof ObjectNode object)) {
      return;
    }
    for (String key : Schemas.fieldNames(object)) {
      String child = FieldPaths.child(path, key);
      Optional<JSONSchemaProps> childSchema = Schemas.property(schema, key);
      if (resource && key.equals("metadata")) {
        pruneObjectMeta(object.get(key), child, out);
      } else if (resource && Schemas.TYPE_META.contains(key)) {
        // apiVersion and kind: known to every object, never in its schema.
      } else if (childSchema.isPresent()) {
        JSONSchemaProps s = childSchema.get();
        prune(object.get(key), s, child, Schemas.isEmbeddedResource(s), out);
      } else if (!Schemas.preservesUnknownFields(schema)) {
        out.add(Violation.unknownField(child));
        object.remove(key);
      }
    }
  }

  private static void pruneObjectMeta(JsonNode metadata, String path, List<Violation> out) {
    if (metadata instanceof ObjectNode object) {
      for (String key : Schemas.fieldNames(object)) {
        if (!OBJECT_META.contains(key)) {
          out.add(Violation.unknownField(FieldPaths.child(path, key)));
          object.remove(key);
        }
      }
    }
  }
}
