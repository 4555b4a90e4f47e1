package io.perennial.model.bpr;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.Recommender;
import io.perennial.model.Stability;
import io.perennial.model.Update;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import java.util.Arrays;
import java.util.SplittableRandom;

/** A trained BPR-MF model: {@code score(u, i) = b_i + p_u · q_i} (a ranking score, not a rating). */
public final class BprModel extends FactorModel implements io.perennial.model.OnlineLearner,
    io.perennial.model.DifferentiallyPrivate {

  public static final String TYPE = "bpr";
  private final BprConfig config;
  private final SplittableRandom growthRandom;
  /** The DP-SGD guarantee of the training, or null; later updates (fine-tunes, online steps) are not private. */
  private io.perennial.privacy.PrivacyReport privacy;

  BprModel(BprConfig config, UserHistory history, float[] popularity, int users, int items,
      float[] userFactors, float[] itemFactors, float[] itemBias) {
    this(config, config.factors(), history, popularity, users, items, userFactors, itemFactors, itemBias);
  }

  /** A model whose tables have {@code factors} dimensions, fewer than the config's while progressive training widens them. */
  BprModel(BprConfig config, int factors, UserHistory history, float[] popularity, int users, int items,
      float[] userFactors, float[] itemFactors, float[] itemBias) {
    super(history, popularity, users, items, factors, userFactors, itemFactors, null,
        itemBias, 0f);
    this.config = config;
    this.growthRandom = new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /**
   * {@code x_uij = b_i − b_j + p_u · (q_i − q_j)}: how much the user (row {@code userOffset} of
   * {@code users}) prefers item i over item j.
   */
  static float preference(float[] users, int userOffset, float[] items, float[] bias, int i, int j, int k) {
    float x = bias[i] - bias[j];
    int io = i * k;
    int jo = j * k;
    for (int d = 0; d < k; d++) {
      x += users[userOffset + d] * (items[io + d] - items[jo + d]);
    }
    return x;
  }

  public BprConfig config() {
    return config;
  }

  /** Progressive training: appends dimensions, zero for users and {@code itemScale · N(0, 1)} for items. */
  void widen(int newFactors, float itemScale, SplittableRandom random) {
    widenFactors(newFactors, 0f, itemScale, random);
  }

  /** Puts back a snapshot's tables (padded with zeros when it predates a widening). */
  void restoreTables(int tableFactors, float[] users, float[] items) {
    restoreFactorTables(tableFactors, users, items);
  }

  /**
   * The (ε, δ) of the DP-SGD training, or {@code null}. It covers the factor tables and biases as
   * training left them; the stored histories (used to leave out seen items) and popularity counts
   * are the training data itself, and updates after training take non-private steps.
   */
  @Override
  public io.perennial.privacy.PrivacyReport privacy() {
    return privacy;
  }

  void setPrivacy(io.perennial.privacy.PrivacyReport report) {
    this.privacy = report;
  }

  /**
   * SGD on the user's vector alone: for each known item, {@code foldInSteps} sampled negatives,
   * seeded from the items so the same history gives the same vector.
   */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    int[] sorted = items.clone();
    Arrays.sort(sorted);
    float[] p = new float[factors];
    SplittableRandom random = new SplittableRandom(Arrays.hashCode(sorted) ^ config.seed());
    for (int d = 0; d < factors; d++) {
      p[d] = (float) (random.nextGaussian() * config.initScale());
    }
    float lr = config.learningRate();
    for (int step = 0; step < config.foldInSteps(); step++) {
      for (int i : sorted) {
        if (i < 0 || i >= itemCount) {
          continue;
        }
        int j = random.nextInt(itemCount);
        if (Arrays.binarySearch(sorted, j) >= 0) {
          continue;
        }
        float x = preference(p, 0, itemFactors, itemBias, i, j, factors);
        float g = (float) (1 / (1 + Math.exp(x)));
        for (int d = 0; d < factors; d++) {
          p[d] += lr * (g * (itemFactors[i * factors + d] - itemFactors[j * factors + d])
              - config.regularization() * p[d]);
        }
      }
    }
    float[] vals = new float[sorted.length];
    Arrays.fill(vals, 1f);
    return new UserQuery(sorted, vals, p, 0);
  }

  /**
   * Grows the tables and runs {@code partialFitEpochs} passes of triples drawn from the new and
   * replayed events. With forgetting protection, after each SGD step the touched rows are pulled
   * toward their pre-update values ({@code anchor}, scaled per parameter by the Fisher estimate when
   * asked) and a distillation step keeps the teacher's preference between two random items for a
   * replayed user; the teacher is {@code update.teacher()} when it is a BPR model, else the model
   * before the update.
   */
  @Override
  public void partialFit(Update update) {
    InteractionLog events = update.events();
    InteractionLog replay = update.replay();
    int users = update.users();
    int items = update.items();
    Stability stability = update.stability();
    Recommender teacher = update.teacher();
    if (!stability.active()) {
      fineTune(events, replay, users, items);
      return;
    }
    int oldUsers = userCount;
    int oldItems = itemCount;
    float[] anchorUsers = java.util.Arrays.copyOf(userFactors, oldUsers * factors);
    float[] anchorItems = java.util.Arrays.copyOf(itemFactors, oldItems * factors);
    float[] anchorBias = java.util.Arrays.copyOf(itemBias, oldItems);
    BprModel tutor = teacher instanceof BprModel earlier ? earlier : null;
    float[] teacherUsers = tutor == null ? anchorUsers : tutor.userFactors;
    float[] teacherItems = tutor == null ? anchorItems : tutor.itemFactors;
    float[] teacherBias = tutor == null ? anchorBias : tutor.itemBias;
    int taughtUsers = tutor == null ? oldUsers : tutor.userCount;
    int taughtItems = tutor == null ? oldItems : tutor.itemCount;
    float[][] fisher = stability.fisherWeighted()
        ? fisher(replay.size() > 0 ? replay : events, oldUsers, oldItems) : null;
    growTables(Math.max(users, userCount), Math.max(items, itemCount), growthRandom, config.initScale());
    growHistory(events, userCount);
    growPopularity(events, itemCount);
    int n = events.size() + replay.size();
    float lr = config.learningRate();
    for (int epoch = 0; epoch < config.partialFitEpochs(); epoch++) {
      for (int s = 0; s < n; s++) {
        int e = growthRandom.nextInt(n);
        InteractionLog source = e < events.size() ? events : replay;
        int at = e < events.size() ? e : e - events.size();
        int u = source.user(at);
        int i = source.item(at);
        int j = step(u, i, lr, true);
        if (stability.anchor() > 0) {
          float pull = lr * stability.anchor();
          anchorRow(userFactors, anchorUsers, u, oldUsers, pull, fisher == null ? null : fisher[0]);
          anchorRow(itemFactors, anchorItems, i, oldItems, pull, fisher == null ? null : fisher[1]);
          if (j >= 0) {
            anchorRow(itemFactors, anchorItems, j, oldItems, pull, fisher == null ? null : fisher[1]);
          }
        }
        if (stability.distillation() > 0 && taughtUsers > 0 && taughtItems > 1) {
          // a past user: from the replayed events when there are some, else any user the teacher knows
          int past = replay.size() > 0 ? replay.user(growthRandom.nextInt(replay.size())) : growthRandom.nextInt(taughtUsers);
          distil(past, growthRandom.nextInt(taughtItems), growthRandom.nextInt(taughtItems),
              teacherUsers, teacherItems, teacherBias, taughtUsers, lr * stability.distillation());
        }
      }
    }
    invalidateCaches();
  }

  /** {@code θ -= pull · F · (θ - θ₀)} for one row, if the row existed before the update. */
  private void anchorRow(float[] table, float[] anchor, int row, int anchoredRows, float pull, float[] fisher) {
    if (row >= anchoredRows) {
      return;
    }
    int o = row * factors;
    for (int d = 0; d < factors; d++) {
      float weight = fisher == null ? 1f : fisher[o + d];
      table[o + d] -= Math.min(1f, pull * weight) * (table[o + d] - anchor[o + d]);
    }
    if (table == itemFactors) {
      itemRowChanged(row);
    }
  }

  /**
   * One distillation step: the teacher's probability that user prefers a over b is the soft
   * target of the new model's {@code σ(x_uab)}; descend the cross-entropy.
   */
  private void distil(int user, int a, int b, float[] teacherUsers, float[] teacherItems, float[] teacherBias, int taughtUsers,
      float lr) {
    if (user >= taughtUsers || a == b) {
      return;
    }
    int po = user * factors;
    int ao = a * factors;
    int bo = b * factors;
    float xTeacher = preference(teacherUsers, po, teacherItems, teacherBias, a, b, factors);
    float xNew = preference(userFactors, po, itemFactors, itemBias, a, b, factors);
    float target = (float) (1 / (1 + Math.exp(-xTeacher)));
    float g = target - (float) (1 / (1 + Math.exp(-xNew)));
    itemBias[a] += lr * g;
    itemBias[b] -= lr * g;
    for (int d = 0; d < factors; d++) {
      float pu = userFactors[po + d];
      float qa = itemFactors[ao + d];
      float qb = itemFactors[bo + d];
      userFactors[po + d] += lr * g * (qa - qb);
      itemFactors[ao + d] += lr * g * pu;
      itemFactors[bo + d] -= lr * g * pu;
    }
    itemRowChanged(a);
    itemRowChanged(b);
  }

  /**
   * Diagonal Fisher estimate: the mean squared BPR-loss gradient of each parameter over triples from
   * {@code past}, normalised to mean 1 over the parameters that received any.
   */
  private float[][] fisher(InteractionLog past, int users, int items) {
    float[] fu = new float[users * factors];
    float[] fi = new float[items * factors];
    int samples = Math.min(20_000, Math.max(1_000, past.size()));
    for (int s = 0; s < samples && past.size() > 0; s++) {
      int e = growthRandom.nextInt(past.size());
      int u = past.user(e);
      int i = past.item(e);
      int j = growthRandom.nextInt(items);
      if (u >= users || i >= items || i == j) {
        continue;
      }
      float x = preference(userFactors, u * factors, itemFactors, itemBias, i, j, factors);
      float g = (float) (1 / (1 + Math.exp(x)));
      for (int d = 0; d < factors; d++) {
        float gu = g * (itemFactors[i * factors + d] - itemFactors[j * factors + d]);
        float gi = g * userFactors[u * factors + d];
        fu[u * factors + d] += gu * gu;
        fi[i * factors + d] += gi * gi;
        fi[j * factors + d] += gi * gi;
      }
    }
    normalise(fu);
    normalise(fi);
    return new float[][] {fu, fi};
  }

  private static void normalise(float[] f) {
    double sum = 0;
    int nonZero = 0;
    for (float v : f) {
      if (v > 0) {
        sum += v;
        nonZero++;
      }
    }
    if (nonZero == 0) {
      return;
    }
    float mean = (float) (sum / nonZero);
    for (int p = 0; p < f.length; p++) {
      f[p] /= mean;
    }
  }

  /** Plain fine-tune: {@code partialFitEpochs} passes of triples from the new and replayed events. */
  private void fineTune(InteractionLog events, InteractionLog replay, int users, int items) {
    growTables(Math.max(users, userCount), Math.max(items, itemCount), growthRandom, config.initScale());
    growHistory(events, userCount);
    growPopularity(events, itemCount);
    int n = events.size() + replay.size();
    int[] posUsers = new int[n];
    int[] posItems = new int[n];
    for (int e = 0; e < n; e++) {
      InteractionLog source = e < events.size() ? events : replay;
      int at = e < events.size() ? e : e - events.size();
      posUsers[e] = source.user(at);
      posItems[e] = source.item(at);
    }
    for (int epoch = 0; epoch < config.partialFitEpochs(); epoch++) {
      BprTrainer.sampledEpoch(this, posUsers, posItems, n, config.learningRate(),
          null, growthRandom, null, null);
    }
    invalidateCaches();
  }

  /**
   * {@code onlineSteps} SGD steps on (user, item, sampled negative), then {@code onlineReplay}
   * steps on the user's earlier positives: chosen uniformly, or by their current loss when
   * {@link BprConfig#onlineReplayByLoss} is on.
   */
  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    growTables(Math.max(userCount, user + 1), Math.max(itemCount, item + 1), growthRandom, config.initScale());
    recordEvent(user, item, value);
    float lr = config.learningRate();
    for (int s = 0; s < config.onlineSteps(); s++) {
      step(user, item, lr, false);
    }
    // The positive's derived rows (search columns, norm) are refreshed once, not once per step:
    // that transposed write was a third of the online learner's time.
    itemRowChanged(item);
    int[] past = history.items(user);
    if (config.onlineReplay() > 0 && past.length > 1) {
      int[] replayed = config.onlineReplayByLoss() ? replayedByLoss(user, past, config.onlineReplay()) : null;
      for (int s = 0; s < config.onlineReplay(); s++) {
        step(user, replayed != null ? replayed[s] : past[growthRandom.nextInt(past.length)], lr, true);
      }
    }
    userRowChanged(user);
  }

  /** Earlier positives whose loss is weighed for a loss-weighted replay; a longer history is subsampled to this many. */
  static final int REPLAY_CANDIDATES = 32;
  /** Uniform items each candidate positive is compared with to estimate its BPR loss. */
  static final int REPLAY_LOSS_NEGATIVES = 4;

  /**
   * {@code count} of the user's positives {@code past}, drawn with replacement in proportion to
   * their current BPR loss {@code mean log(1 + exp(−x_uij))} over {@link #REPLAY_LOSS_NEGATIVES}
   * uniform items j: the positives the model now ranks low are replayed more. At most
   * {@link #REPLAY_CANDIDATES} positives (a uniform subsample of a longer history) are weighed, which
   * keeps an online event's cost bounded. All draws come from the model's seeded random source.
   */
  int[] replayedByLoss(int user, int[] past, int count) {
    int pool = Math.min(past.length, REPLAY_CANDIDATES);
    int[] candidates = new int[pool];
    for (int c = 0; c < pool; c++) {
      candidates[c] = pool == past.length ? past[c] : past[growthRandom.nextInt(past.length)];
    }
    double[] cumulative = new double[pool];
    double total = 0;
    int userOffset = user * factors;
    for (int c = 0; c < pool; c++) {
      double loss = 0;
      for (int n = 0; n < REPLAY_LOSS_NEGATIVES; n++) {
        int negative = growthRandom.nextInt(itemCount);
        double x = preference(userFactors, userOffset, itemFactors, itemBias, candidates[c], negative, factors);
        // softplus(−x), computed without overflow for a large margin either way
        loss += x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
      }
      total += Double.isFinite(loss) ? loss : 0;
      cumulative[c] = total;
    }
    int[] chosen = new int[count];
    for (int s = 0; s < count; s++) {
      if (!(total > 0)) {
        chosen[s] = candidates[growthRandom.nextInt(pool)];
        continue;
      }
      double target = growthRandom.nextDouble() * total;
      int at = 0;
      while (at < pool - 1 && cumulative[at] <= target) {
        at++;
      }
      chosen[s] = candidates[at];
    }
    return chosen;
  }

  /**
   * One BPR step on (user, positive, a sampled negative not in the user's history); the caller may
   * defer refreshing the positive's derived rows when it steps on the same positive again.
   */
  private int step(int user, int positive, float lr, boolean refreshPositive) {
    int negative;
    int tries = 0;
    do {
      negative = growthRandom.nextInt(itemCount);
    } while (history.contains(user, negative) && ++tries < 16);
    if (negative == positive) {
      return -1;
    }
    int po = user * factors;
    int io = positive * factors;
    int jo = negative * factors;
    float reg = config.regularization();
    float biasReg = config.biasRegularization();
    float x = preference(userFactors, po, itemFactors, itemBias, positive, negative, factors);
    float g = (float) (1 / (1 + Math.exp(x)));
    itemBias[positive] += lr * (g - biasReg * itemBias[positive]);
    itemBias[negative] += lr * (-g - biasReg * itemBias[negative]);
    for (int d = 0; d < factors; d++) {
      float pu = userFactors[po + d];
      float qi = itemFactors[io + d];
      float qj = itemFactors[jo + d];
      userFactors[po + d] += lr * (g * (qi - qj) - reg * pu);
      itemFactors[io + d] += lr * (g * pu - reg * qi);
      itemFactors[jo + d] += lr * (-g * pu - reg * qj);
    }
    if (refreshPositive) {
      itemRowChanged(positive);
    }
    itemRowChanged(negative);
    return negative;
  }

  /**
   * Approximate unlearning: {@code partialFitEpochs} passes of BPR steps on each shared item's
   * remaining (user, item, sampled negative) triples that move only that item's row and bias, so it
   * is refitted toward its optimum without the forgotten user; a retrain makes it exact.
   */
  @Override
  protected io.perennial.model.Unlearning refitSharedItems(int[] items) {
    ItemRaters byItem = itemUsers(items);
    float lr = config.learningRate();
    for (int epoch = 0; epoch < config.partialFitEpochs(); epoch++) {
      for (int n = 0; n < items.length; n++) {
        for (int user : byItem.users()[n]) {
          positiveOnlyStep(user, items[n], lr);
        }
      }
    }
    for (int item : items) {
      itemRowChanged(item);
    }
    return new io.perennial.model.Unlearning(io.perennial.model.Unlearning.Guarantee.APPROXIMATE, items.length,
        items.length, 0, items.length + " shared items refitted by " + config.partialFitEpochs()
            + " passes of item-side BPR steps on the other users' events (approximate until a retrain)");
  }

  private void positiveOnlyStep(int user, int positive, float lr) {
    int negative;
    int tries = 0;
    do {
      negative = growthRandom.nextInt(itemCount);
    } while (history.contains(user, negative) && ++tries < 16);
    if (negative == positive) {
      return;
    }
    int po = user * factors;
    int io = positive * factors;
    float x = preference(userFactors, po, itemFactors, itemBias, positive, negative, factors);
    float g = (float) (1 / (1 + Math.exp(x)));
    itemBias[positive] += lr * (g - config.biasRegularization() * itemBias[positive]);
    for (int d = 0; d < factors; d++) {
      itemFactors[io + d] += lr * (g * userFactors[po + d] - config.regularization() * itemFactors[io + d]);
    }
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    saveCommon(s);
    if (privacy != null) {
      s.put("dp_report", privacy.toArray());
    }
    return s;
  }

  /**
   * A model from factor tables trained elsewhere (by partitions on Spark), over {@code train}'s
   * dense ids: its histories and item popularity come from {@code train}, as the trainer's do.
   */
  public static BprModel fromFactors(BprConfig config, io.perennial.data.Dataset train, float[] userFactors,
      float[] itemFactors, float[] itemBias) {
    int k = config.factors();
    if (userFactors.length != train.userCount() * k || itemFactors.length != train.itemCount() * k
        || itemBias.length != train.itemCount()) {
      throw new IllegalArgumentException("tables of " + userFactors.length + ", " + itemFactors.length + " and "
          + itemBias.length + " floats do not fit " + train.userCount() + " users and " + train.itemCount()
          + " items × " + k + " factors");
    }
    return new BprModel(config, UserHistory.of(train.byUser()),
        io.perennial.model.AbstractRecommender.countItems(train.log(), train.itemCount()), train.userCount(),
        train.itemCount(), userFactors, itemFactors, itemBias);
  }

  public static BprModel restore(ModelState s) {
    BprConfig config = new ObjectMapper().convertValue(s.config(), BprConfig.class);
    int[] shape = shapeOf(s);
    check(shape[2] == config.factors(), "factors");
    BprModel m = new BprModel(config, UserHistory.loadFrom(s, "history"), s.floats("popularity"),
        shape[0], shape[1], s.floats("user_factors"), s.floats("item_factors"), s.floats("item_bias"));
    float[] report = s.floats().get("dp_report");
    if (report != null) {
      m.privacy = io.perennial.privacy.PrivacyReport.fromArray(report);
    }
    return m;
  }
}
