package io.perennial.model.transfer;

import io.perennial.data.IdIndex;
import io.perennial.model.FactorModel;
import io.perennial.model.Recommender;

/**
 * The pretrained side of a transfer: a factor model's tables with the ids of their rows.
 *
 * @param type the source algorithm ({@code ials}, {@code bpr}, {@code mf})
 * @param factors columns of both tables
 * @param users the source's user ids, row order of {@code userFactors}
 * @param items the source's item ids, row order of {@code itemFactors}
 * @param userFactors {@code users × factors}, row-major
 * @param itemFactors {@code items × factors}, row-major
 */
public record SourceModel(String type, int factors, IdIndex users, IdIndex items, float[] userFactors,
    float[] itemFactors) {

  public SourceModel {
    if (itemFactors.length != (long) items.size() * factors || userFactors.length != (long) users.size() * factors) {
      throw new IllegalArgumentException("the source tables do not match its " + users.size() + " users and "
          + items.size() + " items × " + factors + " factors");
    }
  }

  /**
   * The tables of {@code model}, whose rows are {@code users} and {@code items}.
   *
   * @throws IllegalArgumentException when the model has no factor tables to start from
   */
  public static SourceModel of(Recommender model, IdIndex users, IdIndex items) {
    if (!(model instanceof FactorModel f)) {
      throw new IllegalArgumentException("a " + model.type() + " model has no factor tables to start from "
          + "(pretrain ials, bpr or mf)");
    }
    int k = f.factors();
    return new SourceModel(model.type(), k, users, items,
        java.util.Arrays.copyOf(f.userFactors(), users.size() * k),
        java.util.Arrays.copyOf(f.itemFactors(), items.size() * k));
  }
}
