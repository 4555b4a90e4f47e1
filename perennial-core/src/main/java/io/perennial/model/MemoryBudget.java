package io.perennial.model;

import io.perennial.data.Dataset;
import io.perennial.optim.OptimizerKind;
import java.util.Locale;

/**
 * Refuses a training whose tables cannot fit in the heap, before any of them is allocated: a config
 * such as {@code {"factors": 100000000}} then fails with the figure instead of an OutOfMemoryError
 * (or a negative array size) deep inside a trainer.
 */
public final class MemoryBudget {

  /** The longest array the JVM allocates (a few entries under {@code Integer.MAX_VALUE}). */
  public static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private MemoryBudget() {}

  /**
   * Throws when {@code trainer}'s {@link Trainer#estimatedBytes estimate} for {@code data} exceeds
   * the heap maximum ({@link Runtime#maxMemory()}).
   *
   * @throws IllegalArgumentException naming the model, the estimate and the heap maximum
   */
  public static void check(Trainer trainer, Dataset data) {
    check(trainer.type(), trainer.estimatedBytes(data.userCount(), data.itemCount(), data.size()),
        data.userCount(), data.itemCount(), Runtime.getRuntime().maxMemory());
  }

  static void check(String model, long bytes, int users, int items, long heapMax) {
    if (bytes > heapMax) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s with this config needs about %s for %,d users × %,d items, more than the heap maximum"
              + " of %s: make the model smaller or give the JVM more heap (-Xmx)",
          model, format(bytes), users, items, format(heapMax)));
    }
  }

  /**
   * Throws when a {@code rows × columns} table does not fit in one Java array.
   *
   * @param what the table, as the message should name it (e.g. "user factor table")
   */
  public static void checkTable(String what, long rows, long columns) {
    if (rows > 0 && columns > MAX_ARRAY_LENGTH / rows) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "the %s of %,d × %,d entries exceeds the largest Java array (%,d entries)",
          what, rows, columns, MAX_ARRAY_LENGTH));
    }
  }

  /**
   * The bytes of a factor model's tables: user and item factors, the optimiser's per-entry state
   * ({@code null} = none, as for iALS), and the transposed item table scoring keeps.
   */
  public static long factorTables(int users, int items, int factors, OptimizerKind optimizer) {
    // As Optimizer allocates: every kind but SGD keeps a first moment, Adam a second one too.
    int stateSlots = optimizer == null || optimizer == OptimizerKind.SGD ? 0
        : optimizer == OptimizerKind.ADAM ? 2 : 1;
    long rows = (long) users + items;
    return plus(times(times(rows, factors), Float.BYTES * (1L + stateSlots)),
        times(times(items, factors), Float.BYTES));
  }

  /** Saturating {@code a × b} for sizes, so an absurd config reads as huge rather than negative. */
  public static long times(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return high != 0 || low < 0 ? Long.MAX_VALUE : low;
  }

  /** Saturating sum of sizes. */
  public static long plus(long... terms) {
    long sum = 0;
    for (long t : terms) {
      sum = sum > Long.MAX_VALUE - t ? Long.MAX_VALUE : sum + t;
    }
    return sum;
  }

  /** Bytes in binary units, as -Xmx counts them: {@code 3.9 GiB}. */
  static String format(long bytes) {
    if (bytes == Long.MAX_VALUE) {
      return "more than 8 EiB";
    }
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
