package io.fastvm.api.validation;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes resource quantity ({@code 512Mi}, {@code 1.5G}, {@code 100m}, {@code 1e3}) with the
 * exact semantics of {@code resource.ParseQuantity} in k8s.io/apimachinery: binary and decimal
 * suffixes, decimal exponents, rounding up to nano precision, and binary values capped at the
 * largest int64.
 *
 * <p>Parsed here rather than with fabric8's {@code Quantity}, which accepts forms the API server
 * rejects and computes {@code Ei} with 16-digit precision.
 *
 * @param value the amount in base units (bytes, cores), normalized so that equal amounts are equal
 *     records ({@code 1Gi} equals {@code 1024Mi})
 */
public record KubernetesQuantity(BigDecimal value) implements Comparable<KubernetesQuantity> {

  /** The grammar of k8s.io/apimachinery (at least one digit is required). */
  private static final Pattern GRAMMAR =
      Pattern.compile(
          "([+-]?)(?=\\.?[0-9])([0-9]*)(?:\\.([0-9]*))?"
              + "(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");

  /** The API server's own wording for a malformed quantity. */
  public static final String FORMAT_ERROR =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

  private static final Map<String, Integer> BINARY_EXPONENTS =
      Map.of("Ki", 10, "Mi", 20, "Gi", 30, "Ti", 40, "Pi", 50, "Ei", 60);
  private static final Map<String, Integer> DECIMAL_EXPONENTS =
      Map.of("n", -9, "u", -6, "m", -3, "", 0, "k", 3, "M", 6, "G", 9, "T", 12, "P", 15, "E", 18);
  private static final int NANO_SCALE = 9;
  private static final BigDecimal MAX_INT64 = BigDecimal.valueOf(Long.MAX_VALUE);

  public KubernetesQuantity {
    value = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
  }

  /** Parses a quantity, or returns empty where {@code resource.ParseQuantity} fails. */
  public static Optional<KubernetesQuantity> tryParse(String text) {
    Matcher m = GRAMMAR.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    String integer = m.group(2).isEmpty() ? "0" : m.group(2);
    String fraction = m.group(3) == null ? "" : m.group(3);
    String suffix = m.group(4) == null ? "" : m.group(4);
    BigDecimal amount = new BigDecimal(fraction.isEmpty() ? integer : integer + "." + fraction);
    boolean binary = BINARY_EXPONENTS.containsKey(suffix);
    if (binary) {
      amount = amount.multiply(new BigDecimal(BigInteger.TWO.pow(BINARY_EXPONENTS.get(suffix))));
    } else if (DECIMAL_EXPONENTS.containsKey(suffix)) {
      amount = amount.scaleByPowerOfTen(DECIMAL_EXPONENTS.get(suffix));
    } else {
      try {
        amount = amount.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
      } catch (NumberFormatException | ArithmeticException e) {
        return Optional.empty();
      }
    }
    // Non-zero amounts below a nano round up, so a tiny request still asks for something.
    if (amount.scale() > NANO_SCALE) {
      amount = amount.setScale(NANO_SCALE, RoundingMode.UP);
    }
    if (binary && amount.compareTo(MAX_INT64) > 0) {
      amount = MAX_INT64;
    }
    return Optional.of(new KubernetesQuantity("-".equals(m.group(1)) ? amount.negate() : amount));
  }

  /** Parses a quantity; throws {@link IllegalArgumentException} with the API server's message. */
  public static KubernetesQuantity parse(String text) {
    return tryParse(text).orElseThrow(() -> new IllegalArgumentException(FORMAT_ERROR));
  }

  public static boolean isQuantity(String text) {
    return tryParse(text).isPresent();
  }

  @Override
  public int compareTo(KubernetesQuantity other) {
    return value.compareTo(other.value);
  }

  public KubernetesQuantity add(KubernetesQuantity other) {
    return new KubernetesQuantity(value.add(other.value));
  }

  public KubernetesQuantity subtract(KubernetesQuantity other) {
    return new KubernetesQuantity(value.subtract(other.value));
  }

  public int sign() {
    return value.signum();
  }

  /** True when the amount is a whole number that fits an int64 ({@code isInteger()} in CEL). */
  public boolean isInteger() {
    return asLong().isPresent();
  }

  /** The amount as an int64, empty when it has a fraction or does not fit. */
  public Optional<Long> asLong() {
    try {
      return Optional.of(value.longValueExact());
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  public double asApproximateDouble() {
    return value.doubleValue();
  }
}
