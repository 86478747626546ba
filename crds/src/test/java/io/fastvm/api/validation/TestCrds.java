package io.fastvm.api.validation;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A small CRD ({@code test.fastvm.io/v1 Widget}) with the schema features our CRDs do not use yet
 * (int-or-string, maps, preserved unknown fields, nullable, list-type map), and rules given by the
 * test, so the validator's behaviour is checked beyond the committed CRDs.
 */
final class TestCrds {
  private TestCrds() {}

  /** A validator of Widgets whose spec carries these rules; each rule's message is the rule. */
  static ManifestValidator widgetValidator(String... specRules) {
    return new ManifestValidator(CrdCatalog.of(List.of(widgetCrd(specRules))));
  }

  static CustomResourceDefinition widgetCrd(String... specRules) {
    String rules =
        Arrays.stream(specRules)
            .map(
                r ->
                    "            - rule: "
                        + yamlString(r)
                        + "\n              message: "
                        + yamlString(r))
            .collect(Collectors.joining("\n"));
    String yaml =
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.test.fastvm.io
        spec:
          group: test.fastvm.io
          names: {kind: Widget, plural: widgets, singular: widget}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  status:
                    type: object
                    properties:
                      phase: {type: string}
                  spec:
                    type: object
                    x-kubernetes-validations:
        %s
                    properties:
                      size: {type: string, default: "1Gi"}
                      count: {type: integer, default: 3, minimum: 0}
                      ratio: {type: number}
                      port: {x-kubernetes-int-or-string: true}
                      labels: {type: object, additionalProperties: {type: string}}
                      extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                      nickname: {type: string, nullable: true}
                      mode: {type: string, default: "fast", enum: [fast, slow]}
                      namespace: {type: string}
                      x-name: {type: string}
                      items:
                        type: array
                        x-kubernetes-list-type: map
                        x-kubernetes-list-map-keys: [name]
                        items:
                          type: object
                          required: [name]
                          properties:
                            name: {type: string}
                            weight: {type: integer, default: 1}
                          x-kubernetes-validations:
                          - rule: "!has(oldSelf.weight) || self.weight >= oldSelf.weight"
                            message: weight may not go down
                            fieldPath: .weight
                            reason: FieldValueForbidden
        """
            .formatted(rules.isEmpty() ? "            - rule: \"true\"" : rules);
    return Serialization.unmarshal(yaml, CustomResourceDefinition.class);
  }

  /** A Widget manifest with this spec (YAML flow or block text, indented by the caller). */
  static String widget(String spec) {
    return """
        apiVersion: test.fastvm.io/v1
        kind: Widget
        metadata:
          name: w
        spec:
        """
        + spec.indent(2);
  }

  private static String yamlString(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
