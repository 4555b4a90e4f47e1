package io.perennial.model.ials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.kernel.VectorOps;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.EpochLoop;
import io.perennial.model.FactorModel;
import io.perennial.model.MemoryBudget;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;
import java.util.SplittableRandom;

/** Alternates user and item half-steps, each solving every row by conjugate gradient. */
public final class IalsTrainer implements Trainer {

  private final IalsConfig config;

  /** A trainer with these settings ({@link IalsConfig#defaults()} for the tuned ones). */
  public IalsTrainer(IalsConfig config) {
    this.config = config;
  }

  @Override
  public String type() {
    return IalsModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  @Override
  public long estimatedBytes(int users, int items, long interactions) {
    // The Gram matrices (k × k, built in double, kept in float, one of users and one of items)
    // dominate when factors are in the tens of thousands.
    long gram = MemoryBudget.times(MemoryBudget.times(config.factors(), config.factors()),
        2L * (Double.BYTES + Float.BYTES));
    return MemoryBudget.plus(MemoryBudget.factorTables(users, items, config.factors(), null), gram);
  }

  @Override
  public IalsModel fit(Dataset train, TrainingOptions options) {
    MemoryBudget.check(this, train);
    SplittableRandom random = new SplittableRandom(config.seed());
    int users = train.userCount();
    int items = train.itemCount();
    int k = config.factors();
    UserHistory history = UserHistory.of(recencyWeighted(train, config.recencyDecay()).byUser());
    IalsModel model = new IalsModel(config, history,
        AbstractRecommender.countItems(train.log(), items), users, items,
        FactorModel.randomTable(users, k, random, config.initScale()),
        FactorModel.randomTable(items, k, random, config.initScale()));
    AlsSolver.Rows userRows = IalsModel.userRows(history);
    IalsModel.ItemUsers itemRows = IalsModel.ItemUsers.of(history, items, null);
    EpochLoop.run(type(), model, config.iterations(), history.size(), options,
        iteration -> {
          float[] p = model.userFactors();
          float[] q = model.itemFactors();
          AlsSolver.solveAll(p, users, null, q, AlsSolver.gram(q, items, k), k, userRows, config);
          float[] userGram = AlsSolver.gram(p, users, k);
          AlsSolver.solveAll(q, items, null, p, userGram, k, itemRows, config);
          model.invalidateCaches();
          return loss(model, userRows, userGram);
        },
        () -> new float[][] {model.userFactors().clone(), model.itemFactors().clone()},
        s -> {
          System.arraycopy(s[0], 0, model.userFactors(), 0, s[0].length);
          System.arraycopy(s[1], 0, model.itemFactors(), 0, s[1].length);
          model.invalidateCaches();
        });
    return model;
  }

  /**
   * With {@code recencyDecay} γ < 1, each event's value is multiplied by γ^(events of the same user
   * after it, in log order), the batch equivalent of the online update's decay, so a model retrained
   * from a stream weighs recent behaviour as the online model does. γ = 1 returns the data as is.
   */
  static Dataset recencyWeighted(Dataset train, float decay) {
    if (decay >= 1f) {
      return train;
    }
    io.perennial.data.InteractionLog log = train.log();
    int[] remaining = new int[train.userCount()];
    for (int e = 0; e < log.size(); e++) {
      remaining[log.user(e)]++;
    }
    io.perennial.data.InteractionLog weighted = new io.perennial.data.InteractionLog(log.size());
    for (int e = 0; e < log.size(); e++) {
      int u = log.user(e);
      int later = --remaining[u];
      weighted.add(u, log.item(e), (float) (log.value(e) * Math.pow(decay, later)), log.timestamp(e), log.type(e));
    }
    return train.withLog(weighted);
  }

  /**
   * Weighted loss per observed pair: {@code Σ_ui c_ui (p_ui − x_u·y_i)² + λ(‖X‖² + ‖Y‖²)} using
   * {@code Σ_u,all (x_u·y_i)² = Σ_i y_iᵀ(XᵀX)y_i} so unobserved pairs cost O(items·k²).
   */
  private double loss(IalsModel m, AlsSolver.Rows userRows, float[] userGram) {
    int k = m.factors();
    float[] p = m.userFactors();
    float[] q = m.itemFactors();
    double total = 0;
    float[] tmp = new float[k];
    for (int i = 0; i < m.itemCount(); i++) {
      for (int a = 0; a < k; a++) {
        tmp[a] = VectorOps.dot(userGram, a * k, q, i * k, k);
      }
      total += VectorOps.dot(tmp, 0, q, i * k, k);
    }
    long observed = 0;
    for (int u = 0; u < m.userCount(); u++) {
      int[] cols = userRows.cols(u);
      float[] vals = userRows.values(u);
      for (int n = 0; n < cols.length; n++) {
        double x = VectorOps.dot(p, u * k, q, cols[n] * k, k);
        double c = 1 + config.alpha() * vals[n];
        total += c * (1 - x) * (1 - x) - x * x;
        observed++;
      }
    }
    total += config.regularization() * (VectorOps.dot(p, p) + VectorOps.dot(q, q));
    return total / Math.max(1, observed);
  }
}
