package io.fastvm.api.crd;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules for a structural schema that apiextensions.k8s.io/v1 enforces when a CRD is created
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema):
 * every node has a type unless it is int-or-string or keeps unknown fields; no references, no
 * closed objects, no uniqueItems; metadata may only restrict name and generateName.
 */
final class StructuralSchema {
  private StructuralSchema() {}

  static List<String> problems(JSONSchemaProps root) {
    List<String> problems = new ArrayList<>();
    if (!"object".equals(root.getType())) {
      problems.add("<root>: type must be object");
    }
    check(root, "", problems);
    JSONSchemaProps metadata = properties(root).get("metadata");
    if (metadata != null
        && !Set.of("name", "generateName").containsAll(properties(metadata).keySet())) {
      problems.add("metadata: only name and generateName may be specified");
    }
    return problems;
  }

  private static void check(JSONSchemaProps s, String path, List<String> problems) {
    String at = path.isEmpty() ? "<root>" : path;
    boolean intOrString = Boolean.TRUE.equals(s.getXKubernetesIntOrString());
    boolean preserve = Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields());
    if ((s.getType() == null || s.getType().isEmpty()) && !intOrString && !preserve) {
      problems.add(at + ": type is required");
    }
    if (intOrString && s.getType() != null) {
      problems.add(at + ": x-kubernetes-int-or-string must not have a type");
    }
    if (Boolean.FALSE.equals(s.getXKubernetesPreserveUnknownFields())) {
      problems.add(at + ": x-kubernetes-preserve-unknown-fields must be true or absent");
    }
    if (s.get$ref() != null
        || notEmpty(s.getDefinitions())
        || s.getId() != null
        || s.get$schema() != null) {
      problems.add(at + ": $ref, definitions, id and $schema are not allowed");
    }
    if (notEmpty(s.getDependencies())
        || notEmpty(s.getPatternProperties())
        || s.getAdditionalItems() != null) {
      problems.add(at + ": dependencies, patternProperties and additionalItems are not allowed");
    }
    if (Boolean.TRUE.equals(s.getUniqueItems())) {
      problems.add(at + ": uniqueItems must not be true");
    }
    if (s.getAdditionalProperties() != null) {
      if (Boolean.FALSE.equals(s.getAdditionalProperties().getAllows())
          && s.getAdditionalProperties().getSchema() == null) {
        problems.add(at + ": additionalProperties must not be false");
      }
      if (!properties(s).isEmpty()) {
        problems.add(at + ": properties and additionalProperties are mutually exclusive");
      }
      if (s.getAdditionalProperties().getSchema() != null) {
        check(s.getAdditionalProperties().getSchema(), at + "[*]", problems);
      }
    }
    if (s.getItems() != null) {
      if (s.getItems().getSchema() == null) {
        problems.add(at + ": items must be a single schema");
      } else {
        check(s.getItems().getSchema(), at + "[*]", problems);
      }
    } else if ("array".equals(s.getType())) {
      problems.add(at + ": an array needs items");
    }
    properties(s)
        .forEach(
            (name, child) -> check(child, path.isEmpty() ? name : path + "." + name, problems));
  }

  private static Map<String, JSONSchemaProps> properties(JSONSchemaProps s) {
    return s.getProperties() == null ? Map.of() : s.getProperties();
  }

  private static boolean notEmpty(Map<?, ?> map) {
    return map != null && !map.isEmpty();
  }
}
