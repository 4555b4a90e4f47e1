package io.perennial.model.transfer;

import java.util.BitSet;

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
 */
public record WarmStart(int factors, float[] itemVectors, BitSet items, float[] userVectors, BitSet users,
    FineTune fineTune, float priorStrength) {

  public WarmStart {
    if (!(priorStrength >= 0) || !Float.isFinite(priorStrength)) {
      throw new IllegalArgumentException("prior strength must be >= 0, got " + priorStrength);
    }
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
