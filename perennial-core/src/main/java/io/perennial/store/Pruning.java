package io.perennial.store;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Algorithms;
import io.perennial.model.DenseNetwork;
import io.perennial.model.Update;
import io.perennial.nn.PruneMask;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.Recommender;
import io.perennial.model.UserHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Id pruning of a trained factor model as a compression step: users and items that fail a test
 * (fewer events than a floor, unseen for a while) lose their rows, their ids and their places in
 * the histories. Every kept id keeps its rows bit for bit, so it scores exactly as before; a pruned
 * user gets the popularity fallback, as any unknown user does, and a pruned item is no longer
 * recommended.
 *
 * <p>{@link #magnitude} prunes the other way: the connections of a deep model's dense layers
 * (NeuMF's MLP and fusion layers, SASRec's attention and feed-forward projections), the smallest
 * weights set to zero and held there by a mask through a short fine-tune on the model's own
 * histories, and in the checkpoint for every later update.
 */
public final class Pruning {

  private Pruning() {}

  /** What a pruning kept, and the model file it makes. */
  public record Result(Checkpoint checkpoint, int usersBefore, int usersKept, int itemsBefore, int itemsKept) {}

  /**
   * Keeps the users and items the predicates accept (dense indices of {@code checkpoint}'s model).
   *
   * @throws IllegalArgumentException when the model is not a factor model ({@code mf}, {@code bpr},
   *     {@code ials}) or nothing would be left
   */
  public static Result prune(Checkpoint checkpoint, IntPredicate keepUser, IntPredicate keepItem) {
    Recommender restored = Algorithms.restore(checkpoint.state());
    if (!(restored instanceof FactorModel model)) {
      throw new IllegalArgumentException("pruning works on factor models (mf, bpr, ials), not " + restored.type());
    }
    int k = model.factors();
    int[] users = kept(model.userCount(), keepUser);
    int[] items = kept(model.itemCount(), keepItem);
    if (items.length == 0) {
      throw new IllegalArgumentException("the pruning would drop every item");
    }
    int[] newItem = new int[model.itemCount()];
    Arrays.fill(newItem, -1);
    for (int n = 0; n < items.length; n++) {
      newItem[items[n]] = n;
    }
    ModelState old = model.state();
    ModelState s = new ModelState(old.type(), old.config());
    old.floats().forEach((name, values) -> {
      if (!name.startsWith("history.")) {
        s.put(name, values);
      }
    });
    old.ints().forEach((name, values) -> {
      if (!name.startsWith("history.")) {
        s.put(name, values);
      }
    });
    s.put("user_factors", rows(model.userFactors(), users, k)).put("item_factors", rows(model.itemFactors(), items, k))
        .put("popularity", rows(model.popularity(), items, 1)).put("shape", new int[] {users.length, items.length, k});
    if (model.userBias() != null) {
      s.put("user_bias", rows(model.userBias(), users, 1));
    }
    if (model.itemBias() != null) {
      s.put("item_bias", rows(model.itemBias(), items, 1));
    }
    UserHistory history = new UserHistory(users.length);
    for (int n = 0; n < users.length; n++) {
      int[] seen = model.history().items(users[n]);
      float[] values = model.history().values(users[n]);
      for (int p = 0; p < seen.length; p++) {
        if (newItem[seen[p]] >= 0) {
          history.add(n, newItem[seen[p]], values[p]);
        }
      }
    }
    history.saveTo(s, "history");
    Checkpoint pruned = new Checkpoint(s, ids(checkpoint.users(), users), ids(checkpoint.items(), items),
        checkpoint.provenance());
    return new Result(pruned, model.userCount(), users.length, model.itemCount(), items.length);
  }

  /**
   * What a magnitude pruning did.
   *
   * @param checkpoint the pruned, fine-tuned model
   * @param prunableWeights weights of the dense layers the mask covers
   * @param prunedWeights of those, how many are held at zero
   * @param parameters every parameter of the model (embedding tables included)
   * @param fineTunePasses passes of {@code partialFit} over the model's histories after pruning
   */
  public record Sparsified(Checkpoint checkpoint, long prunableWeights, long prunedWeights, long parameters,
      int fineTunePasses) {

    /** Pruned over prunable weights. */
    public double sparsity() {
      return prunableWeights == 0 ? 0 : (double) prunedWeights / prunableWeights;
    }
  }

  /**
   * Magnitude-prunes the dense layers of a NeuMF or SASRec model to {@code sparsity} (each layer
   * losing that share of its smallest-|w| weights, see {@link PruneMask}), then fine-tunes it by
   * {@code fineTunePasses} {@code partialFit} passes over every stored user's history with the
   * pruned weights held at zero. {@code onPass} hears each finished pass (1-based).
   *
   * @throws IllegalArgumentException when the model has no dense layers or the sparsity is outside [0, 1)
   */
  public static Sparsified magnitude(Checkpoint checkpoint, double sparsity, int fineTunePasses,
      java.util.function.IntConsumer onPass) {
    Recommender model = Algorithms.restore(checkpoint.state());
    PruneMask mask = magnitudeInPlace(model, sparsity, fineTunePasses, onPass);
    Checkpoint pruned = new Checkpoint(model.state(), checkpoint.users(), checkpoint.items(), checkpoint.provenance());
    return new Sparsified(pruned, mask.prunableWeights(), mask.prunedWeights(),
        ((DenseNetwork) model).parameters().size(), fineTunePasses);
  }

  /**
   * {@link #magnitude} on a model in memory (a write): prunes, fine-tunes, returns the mask.
   *
   * @throws IllegalArgumentException when the model has no dense layers or the sparsity is outside [0, 1)
   */
  public static PruneMask magnitudeInPlace(Recommender model, double sparsity, int fineTunePasses,
      java.util.function.IntConsumer onPass) {
    if (fineTunePasses < 0) {
      throw new IllegalArgumentException("fine-tune passes must be 0 or more, got " + fineTunePasses);
    }
    if (!(model instanceof DenseNetwork network)) {
      throw new IllegalArgumentException("magnitude pruning works on models with dense layers (neumf, sasrec), not "
          + model.type() + " (factor models: prune ids with --min-user-events / --min-item-events)");
    }
    PruneMask mask = PruneMask.prune(network.parameters(), sparsity);
    network.parametersChanged();
    InteractionLog histories = histories((AbstractRecommender) model);
    for (int pass = 1; pass <= fineTunePasses; pass++) {
      model.partialFit(Update.of(new InteractionLog(), model.userCount(), model.itemCount()).withReplay(histories));
      onPass.accept(pass);
    }
    return mask;
  }

  /** Every stored (user, item) of the model, users in order, as the fine-tune's replayed events. */
  private static InteractionLog histories(AbstractRecommender model) {
    InteractionLog log = new InteractionLog();
    for (int u = 0; u < model.userCount(); u++) {
      int[] items = model.history().items(u);
      float[] values = model.history().values(u);
      for (int p = 0; p < items.length; p++) {
        log.add(u, items[p], values[p], 0L, InteractionType.CLICK);
      }
    }
    return log;
  }

  /** Keeps users with at least {@code minUserEvents} stored items and items with at least {@code minItemEvents} events. */
  public static Result byFrequency(Checkpoint checkpoint, int minUserEvents, float minItemEvents) {
    FactorModel model = (FactorModel) requireFactorModel(checkpoint);
    float[] popularity = model.popularity();
    return prune(checkpoint, u -> model.history().items(u).length >= minUserEvents, i -> popularity[i] >= minItemEvents);
  }

  /**
   * When each of a checkpoint's users and items was last seen in some data: the latest event time
   * (epoch seconds) of the same external id, {@link #NEVER} for an id the data does not have.
   *
   * @param users by the checkpoint's dense user index
   * @param items by the checkpoint's dense item index
   * @param newest the latest event time in the data ({@link #NEVER} when it is empty)
   */
  public record LastSeen(long[] users, long[] items, long newest) {

    /** The time of an id that never occurs in the data. */
    public static final long NEVER = Long.MIN_VALUE;

    /** Every event of {@code data} matched to {@code checkpoint}'s ids by their external names. */
    public static LastSeen of(Checkpoint checkpoint, Dataset data) {
      long[] users = never(checkpoint.users().size());
      long[] items = never(checkpoint.items().size());
      int[] userOf = translate(data.users(), checkpoint.users());
      int[] itemOf = translate(data.items(), checkpoint.items());
      InteractionLog log = data.log();
      long newest = NEVER;
      for (int e = 0; e < log.size(); e++) {
        long t = log.timestamp(e);
        newest = Math.max(newest, t);
        int u = userOf[log.user(e)];
        if (u >= 0) {
          users[u] = Math.max(users[u], t);
        }
        int i = itemOf[log.item(e)];
        if (i >= 0) {
          items[i] = Math.max(items[i], t);
        }
      }
      return new LastSeen(users, items, newest);
    }

    private static long[] never(int n) {
      long[] out = new long[n];
      Arrays.fill(out, NEVER);
      return out;
    }

    /** For each of {@code from}'s indices, the index of the same id in {@code to}, or -1. */
    private static int[] translate(IdIndex from, IdIndex to) {
      int[] out = new int[from.size()];
      for (int n = 0; n < out.length; n++) {
        out[n] = to.indexOf(from.idOf(n));
      }
      return out;
    }
  }

  /**
   * {@link #byFrequency}'s floors, and also drops every user and item last seen before {@code
   * cutoff} (epoch seconds; an id the data never mentions counts as unseen). {@code seen} must have
   * been built from this checkpoint ({@link LastSeen#of}).
   *
   * @throws IllegalArgumentException as {@link #prune} does, or when {@code seen} does not match the checkpoint
   */
  public static Result byFrequencyAndRecency(Checkpoint checkpoint, int minUserEvents, float minItemEvents,
      LastSeen seen, long cutoff) {
    FactorModel model = (FactorModel) requireFactorModel(checkpoint);
    if (seen.users().length != model.userCount() || seen.items().length != model.itemCount()) {
      throw new IllegalArgumentException("the last-seen times are for " + seen.users().length + " users and "
          + seen.items().length + " items, the model has " + model.userCount() + " and " + model.itemCount());
    }
    float[] popularity = model.popularity();
    return prune(checkpoint,
        u -> model.history().items(u).length >= minUserEvents && seen.users()[u] >= cutoff,
        i -> popularity[i] >= minItemEvents && seen.items()[i] >= cutoff);
  }

  private static Recommender requireFactorModel(Checkpoint checkpoint) {
    Recommender r = Algorithms.restore(checkpoint.state());
    if (!(r instanceof FactorModel)) {
      throw new IllegalArgumentException("pruning works on factor models (mf, bpr, ials), not " + r.type());
    }
    return r;
  }

  private static int[] kept(int count, IntPredicate keep) {
    return java.util.stream.IntStream.range(0, count).filter(keep).toArray();
  }

  private static float[] rows(float[] table, int[] rows, int width) {
    float[] out = new float[rows.length * width];
    for (int n = 0; n < rows.length; n++) {
      System.arraycopy(table, rows[n] * width, out, n * width, width);
    }
    return out;
  }

  private static IdIndex ids(IdIndex all, int[] kept) {
    List<String> out = new ArrayList<>(kept.length);
    for (int index : kept) {
      out.add(all.idOf(index));
    }
    return IdIndex.of(out);
  }
}
