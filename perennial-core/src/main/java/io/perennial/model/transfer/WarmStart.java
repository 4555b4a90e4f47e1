package io.perennial.model.transfer;

import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a trainer starts from instead of random tables, and how it fine-tunes: rows of the item (and
 * user) tables given by the transfer, the others left to the trainer's own random initialisation.
 *
 * @param factors columns of the given rows (the trainer's config must have as many)
 * @param itemVectors {@code n × factors} for the first n items, read where {@code items} is set
 * @param items the item rows the transfer gives ("transferred"); the fine-tune's freezing, prior
 *     and learning-rate ratio apply to these
 * @param userVectors {@code m × factors} for the first m users, read where {@code users} is set
 * @param users the user rows the transfer gives (empty unless users were matched)
 * @param fineTune how the transferred rows learn
 * @param priorStrength λ_prior of {@link FineTune.Mode#PRIOR}
 * @param sourceType the pretrained model's algorithm
 * @param itemTables a deep source's item tables by name, each {@code n × its columns} for the first
 *     n items, read where {@code items} is set (empty for a factor source, whose rows are {@code
 *     itemVectors})
 * @param dense a deep source's dense layers by name, to be copied whole (empty for a factor source)
 */
public record WarmStart(int factors, float[] itemVectors, BitSet items, float[] userVectors, BitSet users,
    FineTune fineTune, float priorStrength, String sourceType, Map<String, float[]> itemTables,
    Map<String, SourceModel.Parameter> dense) {

  public WarmStart {
    if (!(priorStrength >= 0) || !Float.isFinite(priorStrength)) {
      throw new IllegalArgumentException("prior strength must be >= 0, got " + priorStrength);
    }
    itemTables = Collections.unmodifiableMap(new LinkedHashMap<>(itemTables));
    dense = Collections.unmodifiableMap(new LinkedHashMap<>(dense));
  }

  /** A warm start from a factor model's rows. */
  public WarmStart(int factors, float[] itemVectors, BitSet items, float[] userVectors, BitSet users,
      FineTune fineTune, float priorStrength) {
    this(factors, itemVectors, items, userVectors, users, fineTune, priorStrength, "factor", Map.of(), Map.of());
  }

  /** Whether the start is a deep network of the target's type (dense layers included). */
  public boolean deep() {
    return !dense.isEmpty() || !itemTables.isEmpty();
  }

  /** Copies the given rows into the trainer's freshly initialised tables. */
  public void applyTo(float[] userTable, int userCount, float[] itemTable, int itemCount) {
    copyRows(users, userVectors, userTable, userCount);
    copyRows(items, itemVectors, itemTable, itemCount);
  }

  private void copyRows(BitSet rows, float[] from, float[] to, int count) {
    for (int r = rows.nextSetBit(0); r >= 0 && r < count; r = rows.nextSetBit(r + 1)) {
      System.arraycopy(from, r * factors, to, r * factors, factors);
    }
  }

  /** Whether item row {@code item} was given by the transfer. */
  public boolean transferredItem(int item) {
    return items.get(item);
  }

  /**
   * The anchor table of the prior: the given item vectors, {@code itemCount × factors}, zero for the
   * rows the transfer did not give.
   */
  public float[] itemPriorTable(int itemCount) {
    float[] table = new float[itemCount * factors];
    copyRows(items, itemVectors, table, itemCount);
    return table;
  }
}
