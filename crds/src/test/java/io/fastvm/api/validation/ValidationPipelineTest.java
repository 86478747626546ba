package io.fastvm.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The steps of the pipeline on a test CRD with schema features the fastvm CRDs do not use yet. */
class ValidationPipelineTest {

  static final ManifestValidator WIDGETS = TestCrds.widgetValidator();

  @Test
  void defaultsAreAppliedAlsoInsideListItems() {
    JsonNode stored = WIDGETS.withDefaults(yaml(TestCrds.widget("items: [{name: a}]")));
    assertThat(stored.at("/spec/count").asInt()).isEqualTo(3);
    assertThat(stored.at("/spec/size").asText()).isEqualTo("1Gi");
    assertThat(stored.at("/spec/items/0/weight").asInt()).isEqualTo(1);
  }

  @Test
  void committedDefaultsAreApplied() {
    JsonNode vm =
        ManifestFiles.VALIDATOR.withDefaults(
            yaml(
                """
                apiVersion: fastvm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: vm}
                spec:
                  memory: 1Gi
                  cpu: {}
                  firmware: {}
                  disks: [{name: root, volume: root}]
                """));
    assertThat(vm.at("/spec/runStrategy").asText()).isEqualTo("Always");
    assertThat(vm.at("/spec/cpu/sockets").asInt()).isEqualTo(1);
    assertThat(vm.at("/spec/firmware/type").asText()).isEqualTo("bios");
    assertThat(vm.at("/spec/disks/0/discard").asBoolean()).isTrue();
    assertThat(vm.at("/spec/disks/0/cdrom").isBoolean()).isTrue();
    assertThat(vm.at("/spec/display").isMissingNode()).as("no default for display").isTrue();
  }

  @Test
  void nullInAFieldThatIsNotNullableIsDroppedThenDefaulted() {
    assertThat(violations("count: null\nnickname: null")).isEmpty();
    JsonNode stored = WIDGETS.withDefaults(yaml(TestCrds.widget("count: null\nnickname: null")));
    assertThat(stored.at("/spec/count").asInt()).isEqualTo(3);
    assertThat(stored.at("/spec/nickname").isNull()).as("nullable keeps its null").isTrue();
  }

  @Test
  void unknownFieldsAreReportedAndPrunedExceptWherePreserved() {
    assertThat(violations("extra: {anything: [1, 2], goes: {deep: true}}\nlabels: {free: form}"))
        .isEmpty();
    assertThat(violations("sise: 2Gi\nitems: [{name: a, wieght: 2}]"))
        .extracting(Violation::toString)
        .containsExactly(
            "spec.sise: unknown field \"spec.sise\"",
            "spec.items[0].wieght: unknown field \"spec.items[0].wieght\"");
    assertThat(
            WIDGETS
                .withDefaults(yaml(TestCrds.widget("sise: 2Gi")))
                .at("/spec/sise")
                .isMissingNode())
        .isTrue();
  }

  @Test
  void intOrStringTakesBothButNothingElse() {
    assertThat(violations("port: 80")).isEmpty();
    assertThat(violations("port: http")).isEmpty();
    assertThat(violations("port: true")).extracting(Violation::field).contains("spec.port");
  }

  @Test
  void typeErrorsBlockTheRulesAsInTheApiServer() {
    assertThat(violations("count: many"))
        .extracting(Violation::toString)
        .containsExactly(
            "spec.count: Invalid value: \"many\": spec.count in body must be of type integer: \"string\"",
            "Invalid value: null: " + KindValidator.RULES_SKIPPED);
  }

  @Test
  void statusIsIgnoredWhereAStatusSubresourceOwnsIt() {
    assertThat(violations("{}", "status: {phase: 42}")).isEmpty();
  }

  @Test
  void messageExpressionReasonAndFieldPathShapeTheViolation() {
    var crd = TestCrds.widgetCrd();
    var rule =
        crd.getSpec()
            .getVersions()
            .getFirst()
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec")
            .getXKubernetesValidations()
            .getFirst();
    rule.setRule("self.count < 10");
    rule.setMessageExpression("'count is ' + string(self.count) + ', at most 9'");
    rule.setReason("FieldValueForbidden");
    rule.setFieldPath(".count");
    ManifestValidator validator = new ManifestValidator(CrdCatalog.of(List.of(crd)));
    assertThat(validator.validate(yaml(TestCrds.widget("count: 12"))))
        .extracting(Violation::toString)
        .containsExactly("spec.count: Forbidden: count is 12, at most 9");
  }

  @Test
  void escapedPropertyNamesAreReachable() {
    assertThat(
            TestCrds.widgetValidator("self.__namespace__ == 'ns' && self.x__dash__name == 'x'")
                .validate(yaml(TestCrds.widget("namespace: ns\nx-name: x"))))
        .isEmpty();
  }

  @Test
  void aRuleThatDoesNotCompileIsAViolationNamingTheRule() {
    ManifestValidator validator =
        TestCrds.widgetValidator("self.nosuchfield == 1", "self.count + 'x' == 1");
    assertThat(validator.ruleProblems())
        .hasSize(2)
        .allSatisfy(p -> assertThat(p).contains("Widget"));
    assertThat(validator.validate(yaml(TestCrds.widget("count: 1"))))
        .hasSize(2)
        .allSatisfy(
            v -> {
              assertThat(v.type()).isEqualTo(ViolationType.INTERNAL);
              assertThat(v.field()).isEqualTo("spec");
              assertThat(v.message()).contains("does not compile");
            })
        .anySatisfy(v -> assertThat(v.message()).contains("rule \"self.nosuchfield == 1\""));
  }

  @Test
  void aRuleThatIsNotBooleanDoesNotCompile() {
    assertThat(TestCrds.widgetValidator("self.count").ruleProblems())
        .singleElement()
        .satisfies(p -> assertThat(p).contains("must evaluate to a bool"));
  }

  @Test
  void transitionRulesRunOnlyOnUpdateAndFollowListMapKeys() {
    ManifestValidator validator = TestCrds.widgetValidator("self.size == oldSelf.size");
    JsonNode old =
        yaml(TestCrds.widget("size: 1Gi\nitems: [{name: a, weight: 5}, {name: b, weight: 5}]"));
    JsonNode changed =
        yaml(
            TestCrds.widget(
                "size: 2Gi\nitems: [{name: b, weight: 4}, {name: a, weight: 6}, {name: c}]"));
    assertThat(validator.validate(changed)).isEmpty();
    assertThat(validator.validateUpdate(changed, old))
        .extracting(Violation::toString)
        .containsExactly(
            "spec: Invalid value: \"object\": self.size == oldSelf.size",
            "spec.items[0].weight: Forbidden: weight may not go down");
  }

  @Test
  void badInputIsAViolationNeverAnException() {
    assertThat(WIDGETS.validateYaml("spec: [unclosed"))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.violations())
                    .singleElement()
                    .satisfies(v -> assertThat(v.message()).contains("not valid YAML")));
    assertThat(WIDGETS.validateYaml("a: 1\na: 2").getFirst().violations())
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("Duplicate field 'a'"));
    assertThat(WIDGETS.validate(JsonNodeFactory.instance.textNode("x"))).hasSize(1);
    assertThat(WIDGETS.validate(null)).hasSize(1);
    assertThat(WIDGETS.validate(yaml("kind: Widget")))
        .extracting(Violation::toString)
        .containsExactly("apiVersion: Required value");
    assertThat(WIDGETS.validateYaml("---\n---\n")).isEmpty();
  }

  @Test
  void multiDocumentYamlIsReportedPerDocument() {
    List<ManifestReport> reports =
        WIDGETS.validateYaml(TestCrds.widget("count: 1") + "---\n" + TestCrds.widget("count: -1"));
    assertThat(reports).extracting(ManifestReport::valid).containsExactly(true, false);
    assertThat(reports.get(1).index()).isEqualTo(1);
    assertThat(reports.get(1).violations())
        .extracting(Violation::toString)
        .containsExactly(
            "spec.count: Invalid value: -1: spec.count in body should be greater than or equal to 0");
  }

  @Test
  void metadataIsCheckedAsTheApiServerDoes() {
    assertThat(metadataViolations("generateName: widget-")).isEmpty();
    assertThat(metadataViolations("name: " + "a".repeat(254)))
        .containsExactly(
            "metadata.name: Invalid value: \""
                + "a".repeat(254)
                + "\": must be no more than 253 characters");
    assertThat(metadataViolations("name: w\nnamespace: Lab"))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v)
                    .startsWith(
                        "metadata.namespace: Invalid value: \"Lab\": a lowercase RFC 1123 label"));
    assertThat(
            metadataViolations(
                "name: w\nlabels: {\"example.com/ok\": \"yes\", \"bad key\": v, k: \"bad value\"}"))
        .hasSize(2)
        .allSatisfy(v -> assertThat(v).startsWith("metadata.labels: Invalid value: \"bad "));
  }

  private static List<String> metadataViolations(String metadata) {
    String manifest =
        "apiVersion: test.fastvm.io/v1\nkind: Widget\nmetadata:\n"
            + metadata.indent(2)
            + "spec: {}\n";
    return WIDGETS.validate(yaml(manifest)).stream().map(Violation::toString).toList();
  }

  private static List<Violation> violations(String spec) {
    return violations(spec, "");
  }

  private static List<Violation> violations(String spec, String more) {
    return WIDGETS.validate(yaml(TestCrds.widget(spec) + more));
  }

  static JsonNode yaml(String text) {
    try {
      return new YAMLMapper().readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
