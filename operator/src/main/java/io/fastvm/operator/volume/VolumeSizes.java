package io.fastvm.operator.volume;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Sizes of a Volume: the image's virtual size (spec.size) and the PVC that must hold it. A fully
 * written qcow2 image carries its metadata (L2 tables: 8 bytes per 64 KiB cluster, refcounts: 2)
 * beside the data, about 0.02 %; the filesystem in the PVC keeps a few percent for itself (ext4's
 * journal and inode tables). So the PVC gets the virtual size plus 1/32 plus 64 MiB, rounded up to
 * whole MiB.
 */
public final class VolumeSizes {
  private VolumeSizes() {}

  private static final long MIB = 1L << 20;

  public static long bytes(String quantity) {
    return Quantity.getAmountInBytes(new Quantity(quantity))
        .setScale(0, RoundingMode.CEILING)
        .longValueExact();
  }

  /** The PVC request for an image of {@code virtualBytes}. */
  public static Quantity claimSize(long virtualBytes) {
    long bytes = virtualBytes + virtualBytes / 32 + 64 * MIB;
    long mib = (bytes + MIB - 1) / MIB;
    return new Quantity(mib + "Mi");
  }

  /** A byte count as the shortest exact binary quantity ({@code 10Gi}, {@code 1536Mi}). */
  public static String quantity(long bytes) {
    String[] units = {"Ki", "Mi", "Gi", "Ti", "Pi"};
    String unit = "";
    long value = bytes;
    for (String next : units) {
      if (value == 0 || value % 1024 != 0) {
        break;
      }
      value /= 1024;
      unit = next;
    }
    return value + unit;
  }

  static boolean larger(Quantity a, Quantity b) {
    BigDecimal x = Quantity.getAmountInBytes(a);
    BigDecimal y = Quantity.getAmountInBytes(b);
    return x.compareTo(y) > 0;
  }
}
