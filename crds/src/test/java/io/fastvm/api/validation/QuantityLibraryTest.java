package io.fastvm.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes CEL quantity library as rules use it: each expression is a rule of a test CRD,
 * evaluated by the validator on a Widget; a true rule yields no violation.
 */
class QuantityLibraryTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "quantity('1Gi') == quantity('1024Mi')",
        "quantity('1.5G') == quantity('1500M')",
        "quantity('1.5G') != quantity('1500Mi')",
        "quantity('64Mi').isLessThan(quantity('1Gi'))",
        "quantity('1Gi').isGreaterThan(quantity('1G'))",
        "!quantity('1Gi').isLessThan(quantity('1024Mi'))",
        "quantity('64Mi').compareTo(quantity('1Gi')) == -1",
        "quantity('1Gi').compareTo(quantity('1024Mi')) == 0",
        "quantity('4Ti').compareTo(quantity('1Ti')) == 1",
        "isQuantity('2Gi') && isQuantity('1.5G') && isQuantity('100m') && isQuantity('1e3')",
        "!isQuantity('2GB') && !isQuantity('1K') && !isQuantity('') && !isQuantity('Gi')",
        "quantity('1Ki').asInteger() == 1024",
        "quantity('1Ki').isInteger() && !quantity('100m').isInteger()",
        "quantity('1.5').asApproximateFloat() == 1.5",
        "quantity('-1Mi').sign() == -1 && quantity('0').sign() == 0 && quantity('1m').sign() == 1",
        "quantity('1Gi').add(quantity('1Gi')) == quantity('2Gi')",
        "quantity('1Gi').add(1) == quantity('1073741825')",
        "quantity('1Gi').sub(quantity('512Mi')) == quantity('0.5Gi')",
        "quantity('1k').sub(1000).sign() == 0",
        "quantity(self.size).compareTo(quantity('1Gi')) == 0",
        "'AB:cd'.lowerAscii() == 'ab:cd' && 'ab'.upperAscii() == 'AB' && ' x '.trim() == 'x'",
      })
  void holds(String rule) {
    assertThat(violations(rule)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "quantity('1Gi') == quantity('1000Mi')",
        "quantity('1Gi').isLessThan(quantity('64Mi'))",
        "isQuantity('2GB')",
      })
  void fails(String rule) {
    assertThat(violations(rule))
        .singleElement()
        .satisfies(
            v -> assertThat(v.toString()).isEqualTo("spec: Invalid value: \"object\": " + rule));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"quantity('2GB').sign() == 1", "quantity('1.5').asInteger() == 1"})
  void errorsAreViolationsNamingTheRule(String rule) {
    assertThat(violations(rule))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("spec");
              assertThat(v.type()).isEqualTo(ViolationType.INVALID);
              assertThat(v.message()).contains("rule \"" + rule + "\" failed to evaluate");
            });
  }

  @Test
  void malformedQuantityNamesTheApiServersRegularExpression() {
    assertThat(violations("quantity('2GB').sign() == 1"))
        .singleElement()
        .satisfies(
            v -> assertThat(v.message()).contains("quantities must match the regular expression"));
  }

  private static List<Violation> violations(String rule) {
    ManifestValidator validator = TestCrds.widgetValidator(rule);
    assertThat(validator.ruleProblems()).isEmpty();
    return validator.validateYaml(TestCrds.widget("size: 1Gi")).getFirst().violations();
  }
}
