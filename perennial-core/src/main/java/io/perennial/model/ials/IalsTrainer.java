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
import io.perennial.model.transfer.FineTune;
import io.perennial.model.transfer.WarmStart;
import io.perennial.model.transfer.WarmStartable;
import java.util.SplittableRandom;

/** Alternates user and item half-steps, each solving every row by conjugate gradient. */
public final class IalsTrainer implements Trainer, WarmStartable {

  private final IalsConfig config;
  private final PhaseTimes phases = new PhaseTimes();

  /**
   * Where the iterations of the last {@link #fit} went, summed over its iterations: CPU (the
   * training thread and the pool's workers, {@link io.perennial.model.Parallel#cpuNanosNow}) and wall
   * seconds of each phase. Comparing CPU per phase at 1 and 2 threads shows which phase does extra
   * work when parallel and which stays serial (its wall time does not fall).
   */
  public static final class PhaseTimes {
    /** The phases of one iteration, in order. */
    public static final java.util.List<String> NAMES =
        java.util.List.of("item_gram", "user_half_step", "user_gram", "item_half_step", "loss");
    private final double[] cpu = new double[NAMES.size()];
    private final double[] wall = new double[NAMES.size()];
    private int iterations;
    private long cpuMark;
    private long wallMark;

    private void start() {
      cpuMark = io.perennial.model.Parallel.cpuNanosNow();
      wallMark = System.nanoTime();
    }

    private void lap(int phase) {
      long c = io.perennial.model.Parallel.cpuNanosNow();
      long w = System.nanoTime();
      cpu[phase] += (c - cpuMark) / 1e9;
      wall[phase] += (w - wallMark) / 1e9;
      cpuMark = c;
      wallMark = w;
    }

    private synchronized void reset() {
      java.util.Arrays.fill(cpu, 0);
      java.util.Arrays.fill(wall, 0);
      iterations = 0;
    }

    /** Iterations timed. */
    public synchronized int iterations() {
      return iterations;
    }

    /** CPU seconds of each phase of {@link #NAMES}, summed over the iterations. */
    public synchronized double[] cpuSeconds() {
      return cpu.clone();
    }

    /** Wall seconds of each phase of {@link #NAMES}, summed over the iterations. */
    public synchronized double[] wallSeconds() {
      return wall.clone();
    }
  }

  /** A trainer with these settings ({@link IalsConfig#defaults()} for the tuned ones). */
  public IalsTrainer(IalsConfig config) {
    this.config = config;
  }

  /** The phase times of the last (or running) {@link #fit}. */
  public PhaseTimes phaseTimes() {
    return phases;
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
    return fit(train, options, null);
  }

  /** Every fine-tune but the learning-rate ratio: iALS has no learning rate, its form of that is the prior. */
  @Override
  public boolean supports(FineTune.Mode mode) {
    return mode != FineTune.Mode.LR_RATIO && mode != FineTune.Mode.FREEZE_LAYERS;
  }

  /**
   * Trains from {@code start}'s rows (random ones elsewhere, as without it). The transferred item
   * rows are skipped by the item solve while the fine-tune freezes them; with {@code prior} each
   * item solve adds {@code λ_prior ‖q_i − q_i^src‖²} for the transferred rows (an {@link
   * AlsSolver.Anchor} weighted 1 on those rows and 0 on the others). With {@code start} null this is
   * {@link #fit(Dataset, TrainingOptions)}.
   */
  @Override
  public IalsModel fit(Dataset train, TrainingOptions options, WarmStart start) {
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
    ConfidenceRows userRows = ConfidenceRows.ofUsers(history);
    ConfidenceRows itemRows = ConfidenceRows.ofItems(history, items, null);
    int threads = config.threads();
    phases.reset();
    int[] freeItems = null;
    AlsSolver.Anchor prior = null;
    if (start != null) {
      if (start.factors() != k) {
        throw new IllegalArgumentException("the warm start has " + start.factors() + " factors, the config " + k);
      }
      start.applyTo(model.userFactors(), users, model.itemFactors(), items);
      freeItems = java.util.stream.IntStream.range(0, items).filter(i -> !start.transferredItem(i)).toArray();
      if (start.fineTune().mode() == FineTune.Mode.PRIOR && start.priorStrength() > 0) {
        float[] weights = new float[items * k];
        for (int i = 0; i < items; i++) {
          if (start.transferredItem(i)) {
            java.util.Arrays.fill(weights, i * k, (i + 1) * k, 1f);
          }
        }
        prior = new AlsSolver.Anchor(start.priorStrength(), start.itemPriorTable(items), items, weights);
      }
    }
    int[] frozenSolve = freeItems;
    AlsSolver.Anchor itemPrior = prior;
    EpochLoop.run(type(), model, config.iterations(), history.size(), options,
        iteration -> {
          float[] p = model.userFactors();
          float[] q = model.itemFactors();
          phases.start();
          float[] itemGram = AlsSolver.gram(q, items, k, threads);
          phases.lap(0);
          AlsSolver.solveAll(p, users, null, q, itemGram, k, userRows, config);
          phases.lap(1);
          float[] userGram = AlsSolver.gram(p, users, k, threads);
          phases.lap(2);
          if (start != null && start.fineTune().itemsFrozenAt(iteration)) {
            AlsSolver.solveAll(q, items, frozenSolve, p, userGram, k, itemRows, config);
          } else {
            AlsSolver.solveAll(q, items, null, p, userGram, k, itemRows, config, itemPrior);
          }
          model.invalidateCaches();
          phases.lap(3);
          // The loss is a pass of its own (about a fifth of an iteration): only when someone reads it.
          double loss = options.lossWanted(iteration) ? loss(model, userRows, userGram) : Double.NaN;
          phases.lap(4);
          synchronized (phases) {
            phases.iterations++;
          }
          return loss;
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
  double loss(IalsModel m, ConfidenceRows userRows, float[] userGram) {
    return loss(m.userFactors(), m.itemFactors(), m.userCount(), m.itemCount(), m.factors(), userRows, userGram,
        config.alpha(), config.regularization(), config.threads());
  }

  /**
   * The loss of {@link #loss(IalsModel, ConfidenceRows, float[])} for the tables {@code p} (users)
   * and {@code q} (items), in parallel over fixed stripes of rows summed in order (so the figure does
   * not depend on {@code threads}).
   */
  static double loss(float[] p, float[] q, int users, int items, int k, ConfidenceRows userRows,
      float[] userGram, float alpha, float regularization, int threads) {
    // Σ_i y_iᵀ (XᵀX) y_i, one stripe of items per task
    int stripes = 8;
    double[] unobserved = new double[stripes];
    double[] observed = new double[stripes];
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    io.perennial.model.Parallel.run(() -> {
      float[] y = new float[k];
      float[] gy = new float[k];
      int s;
      while ((s = next.getAndIncrement()) < 2 * stripes) {
        if (s < stripes) {
          double total = 0;
          for (int i = items * s / stripes; i < items * (s + 1) / stripes; i++) {
            VectorOps.symmetricMatVec(userGram, k, slice(q, i * k, k, y), 0f, gy);
            total += VectorOps.dot(gy, 0, q, i * k, k);
          }
          unobserved[s] = total;
        } else {
          int stripe = s - stripes;
          double total = 0;
          int[] cols = userRows.cols();
          float[] vals = userRows.values();
          for (int u = users * stripe / stripes; u < users * (stripe + 1) / stripes; u++) {
            for (int n = userRows.start(u); n < userRows.end(u); n++) {
              double x = VectorOps.dot(p, u * k, q, cols[n] * k, k);
              double c = 1 + alpha * vals[n];
              total += c * (1 - x) * (1 - x) - x * x;
            }
          }
          observed[stripe] = total;
        }
      }
    }, Math.max(1, Math.min(threads, 2 * stripes)));
    double total = 0;
    for (int s = 0; s < stripes; s++) {
      total += unobserved[s] + observed[s];
    }
    total += regularization * (VectorOps.dot(p, 0, p, 0, users * k) + VectorOps.dot(q, 0, q, 0, items * k));
    return total / Math.max(1, userRows.nonZeros());
  }

  private static float[] slice(float[] table, int offset, int k, float[] into) {
    System.arraycopy(table, offset, into, 0, k);
    return into;
  }
}
