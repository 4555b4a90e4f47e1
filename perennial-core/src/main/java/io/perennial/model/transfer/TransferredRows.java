package io.perennial.model.transfer;

/**
 * The SGD models' fine-tune of the transferred item rows, applied around each epoch: a snapshot of
 * those rows before it, and after it each row's change over the epoch scaled by the learning-rate
 * ratio R ({@code q ← q₀ + R (q − q₀)}). R = 0 (frozen, {@code freeze-items} and the first N epochs
 * of {@code progressive:N}) puts the rows back bit for bit. Scaling the epoch's change is, to first
 * order in the learning rate, a learning rate R × that of the other rows, without a per-row branch
 * in the vectorised step kernels.
 */
public final class TransferredRows {

  private final WarmStart start;
  private final int[] rows;
  private final int k;
  private final float[] before;

  /** The transferred rows among the first {@code items} of a {@code k}-column table. */
  public TransferredRows(WarmStart start, int items, int k) {
    this.start = start;
    this.rows = start.items().stream().filter(i -> i < items).toArray();
    this.k = k;
    this.before = new float[rows.length * k];
  }

  /** Whether epoch {@code epoch} (0-based) touches the rows at all as the fine-tune says. */
  private float ratioAt(int epoch) {
    FineTune f = start.fineTune();
    if (f.itemsFrozenAt(epoch)) {
      return 0f;
    }
    return f.mode() == FineTune.Mode.LR_RATIO ? f.ratio() : 1f;
  }

  /** Notes the rows' values before epoch {@code epoch}. */
  public void beforeEpoch(float[] table, int epoch) {
    if (ratioAt(epoch) == 1f) {
      return;
    }
    for (int n = 0; n < rows.length; n++) {
      System.arraycopy(table, rows[n] * k, before, n * k, k);
    }
  }

  /** Scales the rows' change over epoch {@code epoch} by the ratio (puts them back when frozen). */
  public void afterEpoch(float[] table, int epoch) {
    float ratio = ratioAt(epoch);
    if (ratio == 1f) {
      return;
    }
    for (int n = 0; n < rows.length; n++) {
      int o = rows[n] * k;
      if (ratio == 0f) {
        System.arraycopy(before, n * k, table, o, k);
      } else {
        for (int d = 0; d < k; d++) {
          float old = before[n * k + d];
          table[o + d] = old + ratio * (table[o + d] - old);
        }
      }
    }
  }
}
