package io.fastvm.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing as k8s.io/apimachinery's resource.ParseQuantity does. */
class KubernetesQuantityTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "1Gi, 1073741824",
    "1024Mi, 1073741824",
    "1.5Gi, 1610612736",
    "1.5G, 1500000000",
    "1500M, 1500000000",
    "64Mi, 67108864",
    "1Ki, 1024",
    "1k, 1000",
    "1E, 1000000000000000000",
    "1e3, 1000",
    "1E3, 1000",
    "1e+3, 1000",
    "15e-1, 1.5",
    "100m, 0.1",
    "5u, 0.000005",
    "5n, 0.000000005",
    ".5, 0.5",
    "5., 5",
    "+1, 1",
    "-1Ki, -1024",
    "007, 7",
    "0, 0",
    // Below a nano rounds up (away from zero), so a tiny request still asks for something.
    "0.0000000001, 0.000000001",
    "-0.0000000001, -0.000000001",
    // Binary amounts are capped at the largest int64.
    "16Ei, 9223372036854775807",
    "8Ei, 9223372036854775807",
  })
  void parses(String text, String amount) {
    assertThat(KubernetesQuantity.parse(text).value()).isEqualByComparingTo(new BigDecimal(amount));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {
        "", ".", "Gi", "1K", "1 Gi", "1.1.1", "1e", "1e1.5", "0.1mi", "1i", "1Gi ", "2GB", "-",
        "1b", "1ki"
      })
  void rejects(String text) {
    assertThat(KubernetesQuantity.isQuantity(text)).isFalse();
    assertThatThrownBy(() -> KubernetesQuantity.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quantities must match the regular expression");
  }

  @ParameterizedTest(name = "{0} == {1}")
  @CsvSource({"1Gi, 1024Mi", "1.5G, 1500M", "1000m, 1", "1k, 1000", "0.5Ki, 512"})
  void equalAmountsAreEqual(String a, String b) {
    assertThat(KubernetesQuantity.parse(a)).isEqualTo(KubernetesQuantity.parse(b));
    assertThat(KubernetesQuantity.parse(a)).hasSameHashCodeAs(KubernetesQuantity.parse(b));
    assertThat(KubernetesQuantity.parse(a).compareTo(KubernetesQuantity.parse(b))).isZero();
  }

  @ParameterizedTest(name = "{0} < {1}")
  @CsvSource({"64Mi, 1Gi", "1G, 1Gi", "1Ti, 4Ti", "1.5G, 1501M", "-1, 0", "999m, 1"})
  void orders(String smaller, String larger) {
    assertThat(KubernetesQuantity.parse(smaller)).isLessThan(KubernetesQuantity.parse(larger));
  }
}
