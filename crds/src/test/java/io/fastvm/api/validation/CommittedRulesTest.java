package io.fastvm.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * What the API server checks in a CRD's rules and defaults before it accepts the CRD: every CEL
 * rule compiles against the schema's types, every fieldPath names a field of the node, every
 * default is valid against its own schema.
 */
class CommittedRulesTest {

  static final CrdCatalog CATALOG = CrdCatalog.committed();

  @Test
  void everyRuleCompiles() {
    assertThat(ManifestFiles.VALIDATOR.ruleProblems()).isEmpty();
    int declared = 0;
    for (CustomResourceDefinition crd : CATALOG.crds()) {
      List<Integer> count = new ArrayList<>(List.of(0));
      walk(schema(crd), "", (s, p) -> count.set(0, count.get(0) + rules(s).size()));
      declared += count.get(0);
    }
    assertThat(declared).as("rules in the committed CRDs").isGreaterThan(20);
    assertThat(ManifestFiles.VALIDATOR.ruleCount()).isEqualTo(declared);
  }

  @Test
  void everyFieldPathNamesAFieldOfItsNode() {
    List<String> wrong = new ArrayList<>();
    for (CustomResourceDefinition crd : CATALOG.crds()) {
      walk(
          schema(crd),
          crd.getSpec().getNames().getKind(),
          (node, path) -> {
            for (ValidationRule rule : rules(node)) {
              if (rule.getFieldPath() != null) {
                JSONSchemaProps target = node;
                for (String step :
                    CelRules.normalizedFieldPath(rule.getFieldPath()).substring(1).split("\\.")) {
                  target = target == null ? null : Schemas.properties(target).get(step);
                }
                if (target == null) {
                  wrong.add(path + " " + rule.getFieldPath());
                }
              }
              if (rule.getReason() != null) {
                assertThat(rule.getReason())
                    .isIn(
                        "FieldValueInvalid",
                        "FieldValueForbidden",
                        "FieldValueRequired",
                        "FieldValueDuplicate");
              }
            }
          });
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void everyDefaultIsValidAgainstItsSchema() {
    List<String> invalid = new ArrayList<>();
    List<String> checked = new ArrayList<>();
    for (CustomResourceDefinition crd : CATALOG.crds()) {
      walk(
          schema(crd),
          crd.getSpec().getNames().getKind(),
          (node, path) -> {
            if (node.getDefault() != null) {
              List<Violation> out = new ArrayList<>();
              new OpenApiSchemaValidator(node).validate(node.getDefault(), out);
              out.forEach(v -> invalid.add(path + ": " + v));
              checked.add(path);
            }
          });
    }
    assertThat(checked).as("defaults in the committed CRDs").hasSizeGreaterThan(10);
    assertThat(invalid).isEmpty();
  }

  @Test
  void anInvalidDefaultIsFound() {
    JSONSchemaProps node = new JSONSchemaProps();
    node.setType("integer");
    node.setMinimum(1.0);
    List<Violation> out = new ArrayList<>();
    new OpenApiSchemaValidator(node)
        .validate(com.fasterxml.jackson.databind.node.IntNode.valueOf(0), out);
    assertThat(out)
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("greater than or equal to 1"));
  }

  private static JSONSchemaProps schema(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema();
  }

  private static List<ValidationRule> rules(JSONSchemaProps node) {
    return node.getXKubernetesValidations() == null ? List.of() : node.getXKubernetesValidations();
  }

  private static void walk(
      JSONSchemaProps node, String path, BiConsumer<JSONSchemaProps, String> visit) {
    visit.accept(node, path);
    Schemas.properties(node).forEach((k, s) -> walk(s, path + "." + k, visit));
    Schemas.items(node).ifPresent(s -> walk(s, path + "[*]", visit));
    Schemas.additionalProperties(node).ifPresent(s -> walk(s, path + "[*]", visit));
  }
}
