package io.fastvm.node.launcher;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes quantities ({@code 512Mi}, {@code 2Gi}, {@code 1.5G}) as MiB for QEMU's -m. */
public final class MemorySize {
  private MemorySize() {}

  private static final Pattern QUANTITY =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?");

  private static final Map<String, BigDecimal> FACTORS =
      Map.ofEntries(
          Map.entry("", BigDecimal.ONE),
          Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
          Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
          Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
          Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
          Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
          Map.entry("k", BigDecimal.valueOf(1_000L)),
          Map.entry("M", BigDecimal.valueOf(1_000_000L)),
          Map.entry("G", BigDecimal.valueOf(1_000_000_000L)),
          Map.entry("T", BigDecimal.valueOf(1_000_000_000_000L)),
          Map.entry("P", BigDecimal.valueOf(1_000_000_000_000_000L)));

  /** The quantity in MiB, rounded up; empty if it is not a quantity. */
  public static java.util.OptionalLong mebibytes(String quantity) {
    if (quantity == null) {
      return java.util.OptionalLong.empty();
    }
    Matcher m = QUANTITY.matcher(quantity.strip());
    if (!m.matches()) {
      return java.util.OptionalLong.empty();
    }
    BigDecimal bytes =
        new BigDecimal(m.group(1)).multiply(FACTORS.get(m.group(2) == null ? "" : m.group(2)));
    BigDecimal mib = bytes.divide(BigDecimal.valueOf(1L << 20), 0, RoundingMode.CEILING);
    try {
      return java.util.OptionalLong.of(mib.longValueExact());
    } catch (ArithmeticException e) {
      return java.util.OptionalLong.empty();
    }
  }
}
