package io.perennial.model.bpr;

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
import io.perennial.optim.LearningRateSchedule;
import io.perennial.optim.Optimizer;
import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import io.perennial.model.curriculum.Curriculum;
import io.perennial.model.curriculum.DifficultyScorer;
import java.util.SplittableRandom;

/**
 * Samples (user, positive, negative) triples and takes an SGD step on each. With {@code threads >
 * 1} the workers update the shared tables without locks (Hogwild); with one thread the result is
 * reproducible from the seed.
 */
public final class BprTrainer implements Trainer, io.perennial.model.transfer.WarmStartable {

  private final BprConfig config;

  public BprTrainer(BprConfig config) {
    this.config = config;
  }

  @Override
  public String type() {
    return BprModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  @Override
  public long estimatedBytes(int users, int items, long interactions) {
    return MemoryBudget.factorTables(users, items, config.factors(), config.optimizer());
  }

  @Override
  public BprModel fit(Dataset train, TrainingOptions options) {
    return fit(train, options, null);
  }

  /** Every fine-tune but the prior (iALS's form): freezing and the learning-rate ratio act per epoch ({@link io.perennial.model.transfer.TransferredRows}). */
  @Override
  public boolean supports(io.perennial.model.transfer.FineTune.Mode mode) {
    return mode != io.perennial.model.transfer.FineTune.Mode.PRIOR && mode != io.perennial.model.transfer.FineTune.Mode.FREEZE_LAYERS;
  }

  /**
   * Trains from {@code start}'s rows (random ones elsewhere, as without it; biases start at zero),
   * the transferred item rows frozen or slowed as its fine-tune says. Not with progressive widening
   * or DP-SGD (the warm start fixes the width, and DP-SGD's accounting assumes a data-independent
   * start). With {@code start} null this is {@link #fit(Dataset, TrainingOptions)}.
   */
  @Override
  public BprModel fit(Dataset train, TrainingOptions options, io.perennial.model.transfer.WarmStart start) {
    if (start != null && (config.progressive() != null || config.dp() != null)) {
      throw new IllegalArgumentException("a pretrained start cannot be combined with "
          + (config.dp() != null ? "DP-SGD (dp)" : "progressive widening (progressive)"));
    }
    if (start != null && start.factors() != config.factors()) {
      throw new IllegalArgumentException("the warm start has " + start.factors() + " factors, the config " + config.factors());
    }
    MemoryBudget.check(this, train);
    SplittableRandom random = new SplittableRandom(config.seed());
    int users = train.userCount();
    int items = train.itemCount();
    io.perennial.model.progressive.ProgressiveConfig progressive = config.progressive();
    int k = progressive == null ? config.factors() : progressive.initialFactors();
    UserHistory history = UserHistory.of(train.byUser());
    float[] popularity = AbstractRecommender.countItems(train.log(), items);
    BprModel model = new BprModel(config, k, history, popularity, users, items,
        FactorModel.randomTable(users, k, random, config.initScale()),
        FactorModel.randomTable(items, k, random, config.initScale()), new float[items]);
    io.perennial.model.transfer.TransferredRows transferred = null;
    if (start != null) {
      start.applyTo(model.userFactors(), users, model.itemFactors(), items);
      transferred = new io.perennial.model.transfer.TransferredRows(start, items, k);
    }
    io.perennial.model.transfer.TransferredRows fineTuned = transferred;
    // Positives come from the deduplicated history so a repeated event is not over-sampled.
    int nnz = (int) history.size();
    long[] positives = new long[nnz];
    int p = 0;
    for (int u = 0; u < users; u++) {
      for (int i : history.items(u)) {
        positives[p++] = pair(u, i);
      }
    }
    if (config.dp() != null) {
      int[] posUsers = new int[nnz];
      int[] posItems = new int[nnz];
      for (int q = 0; q < nnz; q++) {
        posUsers[q] = (int) (positives[q] >>> 32);
        posItems[q] = (int) positives[q];
      }
      model.setPrivacy(DpBprTraining.train(model, posUsers, posItems, options, random));
      return model;
    }
    AliasSampler negatives = config.negativeSampling() == NegativeSampling.POPULARITY && items > 0
        ? popularitySampler(popularity, config.popularityExponent()) : null;
    // [0] user, [1] item optimiser (null for plain SGD); rebuilt at the new width when progressive training widens
    Optimizer[] optimizers = new Optimizer[2];
    OptimizerConfig oc = OptimizerConfig.sgd(config.learningRate()).withKind(config.optimizer());
    if (config.optimizer() != OptimizerKind.SGD) {
      optimizers[0] = new Optimizer(oc, users, k);
      optimizers[1] = new Optimizer(oc, items, k);
    }
    long samples = (long) Math.ceil(config.samplesPerEpoch() * nnz);
    AliasSampler negativeSampler = negatives;
    LikedPairs liked = LikedPairs.of(history);
    SplittableRandom[] workers = new SplittableRandom[config.threads()];
    for (int w = 0; w < workers.length; w++) {
      workers[w] = random.split();
    }
    Curriculum curriculum = null;
    java.util.function.IntToDoubleFunction teacherDifficulty = null;
    if (config.curriculum() != null) {
      int[] posUsers = new int[nnz];
      int[] posItems = new int[nnz];
      for (int q = 0; q < nnz; q++) {
        posUsers[q] = (int) (positives[q] >>> 32);
        posItems[q] = (int) positives[q];
      }
      curriculum = new Curriculum(config.curriculum(), posUsers, posItems, users, items, config.seed());
      if (curriculum.scorer() == DifficultyScorer.TEACHER) {
        // the teacher: this very model trained without the curriculum (or stages) first
        BprModel teacher = new BprTrainer(config.plain()).fit(train, TrainingOptions.silent());
        teacherDifficulty = negativeMargin(teacher, positives, config.curriculum().negatives(), config.seed());
      }
    }
    Curriculum paced = curriculum;
    java.util.function.IntToDoubleFunction teacherScores = teacherDifficulty;
    SplittableRandom widening = new SplittableRandom(config.seed() ^ 0x3C6EF372FE94F82AL);
    LearningRateSchedule schedule = config.schedule();
    EpochLoop.run(type(), model, config.epochs(), samples, options,
        epoch -> {
          if (progressive != null) {
            int width = progressive.factorsAt(epoch, config.factors());
            if (width > model.factors()) {
              model.widen(width, progressive.newScale(), widening);
              if (optimizers[0] != null) {
                // a stateful optimiser's per-row moments are per dimension: it restarts at the new width
                optimizers[0] = new Optimizer(oc, users, width);
                optimizers[1] = new Optimizer(oc, items, width);
              }
            }
          }
          long[] epochPositives = positives;
          long epochSamples = samples;
          if (paced != null) {
            java.util.function.IntToDoubleFunction difficulty = paced.scorer() == DifficultyScorer.SELF_PACED
                ? selfPacedLoss(model, positives, paced.config().negatives(), config.seed() + epoch)
                : teacherScores;
            int[] chosen = paced.examples(epoch, difficulty);
            epochPositives = new long[chosen.length];
            for (int c = 0; c < chosen.length; c++) {
              epochPositives[c] = positives[chosen[c]];
            }
            epochSamples = (long) Math.ceil(config.samplesPerEpoch() * chosen.length);
          }
          float lr = schedule.rate(config.learningRate(), epoch);
          if (fineTuned != null) {
            fineTuned.beforeEpoch(model.itemFactors(), epoch);
          }
          double loss = runEpoch(model, epochPositives, epochSamples, lr, negativeSampler, workers,
              optimizers[0], optimizers[1], liked);
          if (fineTuned != null) {
            fineTuned.afterEpoch(model.itemFactors(), epoch);
          }
          model.invalidateCaches();
          return loss;
        },
        () -> new Snapshot(model.factors(), model.userFactors().clone(), model.itemFactors().clone(),
            model.itemBias().clone()),
        s -> {
          model.restoreTables(s.factors(), s.users(), s.items());
          System.arraycopy(s.bias(), 0, model.itemBias(), 0, s.bias().length);
          model.invalidateCaches();
        });
    if (model.factors() < config.factors()) {
      // training stopped before the last stage: the file still has the config's width (zeros add nothing)
      model.widen(config.factors(), 0f, widening);
    }
    return model;
  }

  /** Negatives drawn in proportion to {@code (count + 1)^exponent}. */
  static AliasSampler popularitySampler(float[] popularity, float exponent) {
    double[] w = new double[popularity.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.pow(popularity[i] + 1, exponent);
    }
    return new AliasSampler(w);
  }

  /** The tables early stopping keeps, with the width they had (progressive training widens later ones). */
  private record Snapshot(int factors, float[] users, float[] items, float[] bias) {}

  /**
   * Self-paced difficulty of each positive: the current model's BPR loss {@code ln(1 + e^(−x_uij))}
   * averaged over {@code negatives} uniform items (not checked against the history: a positive drawn
   * as a negative is rare and only adds noise to a ranking).
   */
  static java.util.function.IntToDoubleFunction selfPacedLoss(BprModel m, long[] positives, int negatives, long seed) {
    return margins(m, positives, negatives, seed, true);
  }

  /** Teacher difficulty of each positive: minus the teacher's score margin over {@code negatives} uniform items. */
  static java.util.function.IntToDoubleFunction negativeMargin(BprModel teacher, long[] positives, int negatives,
      long seed) {
    return margins(teacher, positives, negatives, seed, false);
  }

  private static java.util.function.IntToDoubleFunction margins(BprModel m, long[] positives, int negatives,
      long seed, boolean loss) {
    int k = m.factors();
    float[] p = m.userFactors();
    float[] q = m.itemFactors();
    float[] b = m.itemBias();
    int items = m.itemCount();
    return e -> {
      FastRandom rng = new FastRandom(seed * 0x9E3779B97F4A7C15L + e);
      int u = (int) (positives[e] >>> 32);
      int i = (int) positives[e];
      double si = b[i] + VectorOps.dot(p, u * k, q, i * k, k);
      double sum = 0;
      for (int n = 0; n < negatives; n++) {
        int j = rng.nextInt(items);
        double x = si - b[j] - VectorOps.dot(p, u * k, q, j * k, k);
        sum += loss ? Math.log1p(Math.exp(-x)) : -x;
      }
      return sum / negatives;
    };
  }

  /**
   * One epoch on {@code workers.length} threads of the persistent pool, each making its share of
   * the updates on the shared tables without locks (Hogwild: Recht et al., NIPS 2011; rows are
   * touched sparsely, so collisions are rare and harmless). Each worker draws its positives from its
   * own run of users ({@link #userShards}) and makes updates in proportion to that run's positives,
   * which draws every positive as often as one uniform stream would while no user row is ever
   * written by two threads: ml-latest-small's 610 users are few and heavy (the busiest owns 2.7 %
   * of the positives), so shared user rows would bounce between the cores' caches on every update.
   * Item rows stay shared.
   */
  private static double runEpoch(BprModel model, long[] positives, long samples,
      float lr, AliasSampler negatives, SplittableRandom[] workers, Optimizer userOpt, Optimizer itemOpt,
      LikedPairs liked) {
    java.util.BitSet dropped = dropout(positives.length, model.config().historyDropout(), workers[0]);
    if (workers.length == 1) {
      return sampledEpoch(model, positives, samples, lr, negatives, workers[0], userOpt, itemOpt, liked, dropped);
    }
    double[] losses = new double[workers.length];
    int[] bounds = userShards(positives, workers.length);
    long[] shares = new long[workers.length];
    long assigned = 0;
    for (int w = 0; w < workers.length; w++) {
      // the last shard takes the rounding remainder, so the epoch still makes `samples` draws
      shares[w] = w == workers.length - 1 ? samples - assigned
          : Math.round((double) samples * (bounds[w + 1] - bounds[w]) / positives.length);
      assigned += shares[w];
    }
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    io.perennial.model.Parallel.run(() -> {
      int id;
      while ((id = next.getAndIncrement()) < workers.length) {
        // an empty run (one user owns more than a shard's worth) reports no loss rather than 0
        losses[id] = bounds[id] == bounds[id + 1] ? Double.NaN
            : sampledEpoch(model, positives, bounds[id], bounds[id + 1], shares[id], lr, negatives,
                workers[id], userOpt, itemOpt, liked, dropped);
      }
    }, workers.length);
    double sum = 0;
    int counted = 0;
    for (double l : losses) {
      if (!Double.isNaN(l)) {
        sum += l;
        counted++;
      }
    }
    return counted == 0 ? Double.NaN : sum / counted;
  }

  /**
   * Boundaries of {@code shards} runs of {@code positives} (packed by {@link #pair}, grouped by user
   * as the trainer builds them) of about equal length, each cut moved forward to the next change of
   * user so that no user's positives span two runs; first 0, last {@code positives.length}. A run
   * may be empty when one user owns more than a shard's worth.
   */
  static int[] userShards(long[] positives, int shards) {
    int n = positives.length;
    int[] bounds = new int[shards + 1];
    bounds[shards] = n;
    for (int w = 1; w < shards; w++) {
      int cut = Math.max(bounds[w - 1], (int) ((long) n * w / shards));
      while (cut > 0 && cut < n && (positives[cut] >>> 32) == (positives[cut - 1] >>> 32)) {
        cut++;
      }
      bounds[w] = cut;
    }
    return bounds;
  }

  /**
   * Draws of a negative per update before the update is dropped. A draw costs one hash probe, and
   * the expected number is {@code 1 / (1 − liked share)} (1.4 for a user who liked 28 % of the
   * catalogue), so the bound only stops a user who has liked nearly everything from spinning.
   */
  static final int MAX_NEGATIVE_DRAWS = 16;

  /** One update in this many has its loss {@code −ln σ(x)} computed: an estimate, not a second pass. */
  static final int LOSS_SAMPLE_EVERY = 64;

  /**
   * {@code samples} SGD steps on triples: a uniform positive (u, i), a negative j not in u's
   * history; ascend {@code ln σ(x_uij) - λ‖θ‖²} with {@code x_uij = b_i - b_j + p_u · (q_i - q_j)}.
   * A negative the user already has is redrawn (each check one probe of {@link LikedPairs}), up to
   * {@link #MAX_NEGATIVE_DRAWS} draws; an update that finds none is dropped and does not count. A
   * draw of a positive left out by history dropout does count, so the epoch spends {@code samples}
   * draws on updates plus dropout-skipped positives (with dropout rate r about {@code (1 − r) ·
   * samples} updates), within a budget of {@code 2 · samples} draws.
   *
   * @return the mean of {@code -ln σ(x_uij)} over the first update and one in {@link
   *     #LOSS_SAMPLE_EVERY} after it; NaN only if the epoch made no update
   */
  static double sampledEpoch(BprModel m, int[] posUsers, int[] posItems, long samples, float lr,
      AliasSampler negatives, SplittableRandom random, Optimizer userOpt, Optimizer itemOpt) {
    long[] positives = new long[posUsers.length];
    for (int e = 0; e < positives.length; e++) {
      positives[e] = pair(posUsers[e], posItems[e]);
    }
    return sampledEpoch(m, positives, samples, lr, negatives, random, userOpt, itemOpt, null, null);
  }

  /** A positive (user, item) packed in one long, so drawing it costs one memory access. */
  private static long pair(int user, int item) {
    return ((long) user << 32) | (item & 0xFFFFFFFFL);
  }

  /**
   * As above, the positives packed by {@link #pair}, with the history's pairs as a hash set
   * ({@code null}: look them up in the history); a draw of a positive in {@code dropped} (history
   * dropout; {@code null} = none) spends its sample without an update.
   */
  static double sampledEpoch(BprModel m, long[] positives, long samples, float lr,
      AliasSampler negatives, SplittableRandom random, Optimizer userOpt, Optimizer itemOpt, LikedPairs liked,
      java.util.BitSet dropped) {
    return sampledEpoch(m, positives, 0, positives.length, samples, lr, negatives, random, userOpt, itemOpt, liked,
        dropped);
  }

  /** As above, the positives drawn from {@code positives[from, to)} only (a Hogwild worker's users). */
  static double sampledEpoch(BprModel m, long[] positives, int from, int to, long samples, float lr,
      AliasSampler negatives, SplittableRandom random, Optimizer userOpt, Optimizer itemOpt, LikedPairs liked,
      java.util.BitSet dropped) {
    UserHistory history = m.history();
    int k = m.factors();
    int items = m.itemCount();
    int n = to - from;
    if (n <= 0 || items < 2) {
      return 0;
    }
    float[] p = m.userFactors();
    float[] q = m.itemFactors();
    float[] b = m.itemBias();
    float reg = m.config().regularization();
    float biasReg = m.config().biasRegularization();
    float[] grad = userOpt == null ? null : new float[3 * k];
    FastRandom rng = new FastRandom(random.nextLong());
    double loss = 0;
    long lossSamples = 0;
    long updates = 0;
    long droppedDraws = 0;
    long budget = 2 * samples;
    for (long draw = 0; updates + droppedDraws < samples && draw < budget; draw++) {
      int e = from + rng.nextInt(n);
      if (dropped != null && dropped.get(e)) {
        droppedDraws++;
        continue;
      }
      long positive = positives[e];
      int u = (int) (positive >>> 32);
      int i = (int) positive;
      int j;
      int tries = 0;
      do {
        j = drawNegative(m, u, positives, negatives, rng, liked);
      } while ((liked != null ? liked.contains(u, j) : history.contains(u, j)) && ++tries < MAX_NEGATIVE_DRAWS);
      if (tries == MAX_NEGATIVE_DRAWS) {
        continue;
      }
      updates++;
      int po = u * k;
      int io = i * k;
      int jo = j * k;
      float x = b[i] - b[j] + VectorOps.dotOfDifference(p, po, q, io, jo, k);
      // d/dx ln σ(x) = σ(-x)
      float g = (float) (1 / (1 + Math.exp(x)));
      // the first update and one in LOSS_SAMPLE_EVERY after it: a worker with few updates still reports a loss
      if ((updates - 1) % LOSS_SAMPLE_EVERY == 0) {
        loss += Math.log1p(Math.exp(-x));
        lossSamples++;
      }
      b[i] += lr * (g - biasReg * b[i]);
      b[j] += lr * (-g - biasReg * b[j]);
      if (userOpt == null) {
        VectorOps.pairwiseStep(p, po, q, io, jo, k, lr * g, lr * reg);
      } else {
        // Loss gradients (descent direction) for the optimiser.
        for (int d = 0; d < k; d++) {
          grad[d] = -g * (q[io + d] - q[jo + d]) + reg * p[po + d];
          grad[k + d] = -g * p[po + d] + reg * q[io + d];
          grad[2 * k + d] = g * p[po + d] + reg * q[jo + d];
        }
        userOpt.updateRow(p, u, grad, 0, lr);
        itemOpt.updateRow(q, i, grad, k, lr);
        itemOpt.updateRow(q, j, grad, 2 * k, lr);
      }
    }
    return lossSamples == 0 ? Double.NaN : loss / lossSamples;
  }

  /**
   * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA
   * 2014) held by one worker: the state is a plain field, the bounded draw a multiply-shift
   * (Lemire, "Fast random integer generation in an interval", 2019), no rejection loop; the bias
   * it leaves is below 2⁻³² per item.
   */
  static final class FastRandom {
    private long state;

    FastRandom(long seed) {
      state = seed;
    }

    long nextLong() {
      long z = (state += 0x9E3779B97F4A7C15L);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, bound)}. */
    int nextInt(int bound) {
      return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }
  }

  /**
   * One negative for {@code user} by the config's {@link NegativeSampling}: uniform, by popularity
   * (the alias table), in-batch (the item of a random training positive, so items are drawn as often
   * as they are liked) or hard.
   */
  static int drawNegative(BprModel m, int user, long[] positives, AliasSampler popularity, FastRandom rng) {
    return drawNegative(m, user, positives, popularity, rng, null);
  }

  /** As above; {@code liked} (or, if {@code null}, the history) is what hard negatives exclude. */
  static int drawNegative(BprModel m, int user, long[] positives, AliasSampler popularity, FastRandom rng,
      LikedPairs liked) {
    int items = m.itemCount();
    switch (m.config().negativeSampling()) {
      case POPULARITY:
        return popularity != null ? popularity.sample(rng.nextLong()) : rng.nextInt(items);
      case IN_BATCH:
        return (int) positives[rng.nextInt(positives.length)];
      case HARD:
        return hardest(m, user, m.config().hardCandidates(), rng, liked);
      default:
        return rng.nextInt(items);
    }
  }

  /** As {@link #hardest(BprModel, int, int, FastRandom, LikedPairs)}, liked items looked up in the history. */
  static int hardest(BprModel m, int user, int candidates, FastRandom rng) {
    return hardest(m, user, candidates, rng, null);
  }

  /**
   * Of {@code candidates} uniform items, the one the model now scores highest for {@code user} among
   * those the user has not liked ({@code liked}, or the history if {@code null}). Liked candidates are
   * skipped before scoring: the model scores them highest, so keeping them would make the hardest a
   * liked item most of the time, which the caller rejects and re-scores a whole new set for. If every
   * candidate is liked the last one is returned and the caller's redraw handles it.
   */
  static int hardest(BprModel m, int user, int candidates, FastRandom rng, LikedPairs liked) {
    int items = m.itemCount();
    int k = m.factors();
    float[] p = m.userFactors();
    float[] q = m.itemFactors();
    float[] b = m.itemBias();
    UserHistory history = m.history();
    int best = -1;
    int last = 0;
    float bestScore = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < candidates; c++) {
      int j = rng.nextInt(items);
      last = j;
      if (liked != null ? liked.contains(user, j) : history.contains(user, j)) {
        continue;
      }
      float s = b[j] + VectorOps.dot(p, user * k, q, j * k, k);
      if (best < 0 || s > bestScore) {
        bestScore = s;
        best = j;
      }
    }
    return best < 0 ? last : best;
  }

  /** The training pairs one epoch leaves out: each with probability {@code rate}, from {@code random}. */
  static java.util.BitSet dropout(int pairs, float rate, SplittableRandom random) {
    if (rate <= 0) {
      return null;
    }
    java.util.BitSet dropped = new java.util.BitSet(pairs);
    for (int e = 0; e < pairs; e++) {
      if (random.nextDouble() < rate) {
        dropped.set(e);
      }
    }
    return dropped;
  }
}
