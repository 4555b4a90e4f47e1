package io.perennial.model.ials;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.Stability;
import io.perennial.model.Update;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/** A trained iALS model: {@code score(u, i) = x_u · y_i}. */
public final class IalsModel extends FactorModel implements io.perennial.model.OnlineLearner {

  public static final String TYPE = "ials";
  private final IalsConfig config;
  private final SplittableRandom growthRandom;
  private volatile float[] itemGram;

  IalsModel(IalsConfig config, UserHistory history, float[] popularity, int users, int items,
      float[] userFactors, float[] itemFactors) {
    super(history, popularity, users, items, config.factors(), userFactors, itemFactors, null, null, 0f);
    this.config = config;
    this.growthRandom = new SplittableRandom(config.seed() ^ 0xC2B2AE3D27D4EB4FL);
  }

  @Override
  public String type() {
    return TYPE;
  }

  public IalsConfig config() {
    return config;
  }

  /** The cached {@code YᵀY}, computed on first use after a change. */
  float[] itemGram() {
    float[] g = itemGram;
    if (g == null) {
      g = AlsSolver.gram(itemFactors, itemCount, factors, config.threads());
      itemGram = g;
    }
    return g;
  }

  @Override
  public void invalidateCaches() {
    super.invalidateCaches();
    itemGram = null;
  }

  /** After rows were put back by the divergence guard the rank-one-updated Grams are stale. */
  @Override
  protected void invalidateDerivedState() {
    itemGram = null;
    if (online != null) {
      online.userGram = AlsSolver.gram(userFactors, userCount, factors);
      java.util.Arrays.fill(online.userSumAge, 0);
    }
  }

  /** Solves {@code x_u = (YᵀY + Yᵀ(C_u − I)Y + λI)⁻¹ YᵀC_u p_u} exactly against the cached Gram matrix. */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    List<Integer> keep = new ArrayList<>();
    for (int k = 0; k < items.length; k++) {
      if (items[k] >= 0 && items[k] < itemCount) {
        keep.add(k);
      }
    }
    int[] cols = keep.stream().mapToInt(k -> items[k]).toArray();
    float[] vals = new float[cols.length];
    for (int n = 0; n < cols.length; n++) {
      vals[n] = values[keep.get(n)];
    }
    float[] x = AlsSolver.solveExact(itemFactors, itemGram(), factors, cols, vals,
        config.regularization(), config.alpha());
    int[] sorted = items.clone();
    Arrays.sort(sorted);
    return new UserQuery(sorted, values.clone(), x, 0);
  }

  /**
   * Grows the tables, then re-solves the users the events touched (against the current items) and
   * the items they touched (against the updated users), each with its full history.
   *
   * <p>With {@code stability.anchor() > 0}, every re-solved row is pulled toward its value before the
   * update ({@code A += a·I, b += a·x₀}: the exact minimiser with the anchor term); with
   * {@code fisherWeighted}, per parameter by the diagonal Fisher information of the row's loss before
   * the update (EWC). Replay, distillation and the teacher do not apply: rows are re-solved from
   * their full histories, so untouched rows cannot drift.
   */
  @Override
  public void partialFit(Update update) {
    InteractionLog events = update.events();
    int users = update.users();
    int items = update.items();
    Stability stability = update.stability();
    float anchorStrength = stability.anchor();
    AlsSolver.Anchor userAnchor = null;
    AlsSolver.Anchor itemAnchor = null;
    if (anchorStrength > 0) {
      boolean ewc = stability.fisherWeighted();
      float[] userFisher = ewc
          ? AlsSolver.fisherDiagonal(userCount, itemFactors, itemGram(), factors, ConfidenceRows.ofUsers(history), config.alpha()) : null;
      float[] itemFisher = ewc
          ? AlsSolver.fisherDiagonal(itemCount, userFactors, AlsSolver.gram(userFactors, userCount, factors, config.threads()),
              factors, ConfidenceRows.ofItems(history, itemCount, null), config.alpha()) : null;
      userAnchor = new AlsSolver.Anchor(anchorStrength, java.util.Arrays.copyOf(userFactors, userCount * factors),
          userCount, userFisher);
      itemAnchor = new AlsSolver.Anchor(anchorStrength, java.util.Arrays.copyOf(itemFactors, itemCount * factors),
          itemCount, itemFisher);
    }
    online = null;
    growTables(Math.max(users, userCount), Math.max(items, itemCount), growthRandom, config.initScale());
    history.ensureUsers(userCount);
    for (int e = 0; e < events.size(); e++) {
      history.addDecayed(events.user(e), events.item(e), events.value(e), config.recencyDecay());
    }
    growPopularity(events, itemCount);
    BitSet touchedUsers = new BitSet();
    BitSet touchedItems = new BitSet();
    for (int e = 0; e < events.size(); e++) {
      touchedUsers.set(events.user(e));
      touchedItems.set(events.item(e));
    }
    int k = factors;
    invalidateCaches();
    AlsSolver.solveAll(userFactors, userCount, touchedUsers.stream().toArray(), itemFactors,
        itemGram(), k, ConfidenceRows.ofUsers(history), config, userAnchor);
    ConfidenceRows byItem = ConfidenceRows.ofItems(history, itemCount, touchedItems);
    AlsSolver.solveAll(itemFactors, itemCount, touchedItems.stream().toArray(), userFactors,
        AlsSolver.gram(userFactors, userCount, k, config.threads()), k, byItem, config, itemAnchor);
    invalidateCaches();
  }

  private static final int ITEM_SOLVE_USERS = 32;
  /** A user's cached Σ y_i is recomputed after this many of the user's events (items drift). */
  private static final int USER_SUM_REFRESH = 50;

  /** State kept only while learning online: the item → users lists and the user Gram matrix. */
  private OnlineState online;

  private static final class OnlineState {
    final UserHistory usersOfItem;
    float[] userGram;
    final AlsSolver.Workspace workspace;
    int sinceRefresh;
    /** Per user Σ_{i ∈ I_u} y_i, the confidence-1 part of the right-hand side. */
    float[] userItemSums = new float[0];
    /** Events since each user's sum was recomputed; 0 = not cached. */
    int[] userSumAge = new int[0];

    OnlineState(UserHistory usersOfItem, float[] userGram, int k) {
      this.usersOfItem = usersOfItem;
      this.userGram = userGram;
      this.workspace = new AlsSolver.Workspace(k);
    }
  }

  private OnlineState onlineState() {
    if (online == null) {
      UserHistory byItem = new UserHistory(itemCount);
      for (int u = 0; u < userCount; u++) {
        int[] its = history.items(u);
        float[] vals = history.values(u);
        for (int n = 0; n < its.length; n++) {
          byItem.add(its[n], u, vals[n]);
        }
      }
      online = new OnlineState(byItem, AlsSolver.gram(userFactors, userCount, factors), factors);
      itemGram();
    }
    return online;
  }

  /**
   * The user's Σ y_i over the items in the history, kept up to date by adding each new item's
   * vector and recomputed every {@link #USER_SUM_REFRESH} of the user's events, as the item vectors
   * themselves move.
   */
  private float[] userItemSums(OnlineState st, int user, int item, boolean repeat) {
    int k = factors;
    if (st.userSumAge.length <= user) {
      int capacity = Math.max(user + 1, st.userSumAge.length * 3 / 2 + 16);
      st.userSumAge = java.util.Arrays.copyOf(st.userSumAge, capacity);
      st.userItemSums = java.util.Arrays.copyOf(st.userItemSums, capacity * k);
    }
    int age = st.userSumAge[user];
    if (age == 0 || age >= USER_SUM_REFRESH) {
      java.util.Arrays.fill(st.userItemSums, user * k, user * k + k, 0f);
      for (int i : history.items(user)) {
        io.perennial.kernel.VectorOps.axpy(1f, itemFactors, i * k, st.userItemSums, user * k, k);
      }
      st.userSumAge[user] = 1;
    } else {
      if (!repeat) {
        io.perennial.kernel.VectorOps.axpy(1f, itemFactors, item * k, st.userItemSums, user * k, k);
      }
      st.userSumAge[user] = age + 1;
    }
    return st.userItemSums;
  }

  /**
   * Folds the event in: re-solves the user's row against the item Gram matrix, then the item's row
   * against the user Gram matrix (each by {@code onlineCgSteps} warm-started CG steps), keeping both
   * Gram matrices exact with rank-one updates and recomputing them every {@code gramRefreshEvents}.
   */
  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    OnlineState st = onlineState();
    int k = factors;
    float[] yty = itemGram();
    int oldUsers = userCount;
    int oldItems = itemCount;
    growTables(Math.max(userCount, user + 1), Math.max(itemCount, item + 1), growthRandom, config.initScale());
    if (itemCount > oldItems) {
      // growTables dropped the cached item Gram; put the previous one back and add the new rows.
      itemGram = yty;
      for (int i = oldItems; i < itemCount; i++) {
        AlsSolver.addOuter(yty, itemFactors, i, k, 1f);
      }
    }
    for (int u = oldUsers; u < userCount; u++) {
      AlsSolver.addOuter(st.userGram, userFactors, u, k, 1f);
    }
    boolean repeat = history.contains(user, item);
    recordEvent(user, item, value, config.recencyDecay());
    st.usersOfItem.add(item, user, value);

    float[] sums = userItemSums(st, user, item, repeat);
    System.arraycopy(userFactors, user * k, st.workspace.previous, 0, k);
    AlsSolver.solveRowWithBase(userFactors, user, itemFactors, yty, k, history.items(user), history.values(user),
        config.regularization(), config.alpha(), config.onlineCgSteps(), st.workspace, sums, user * k);
    AlsSolver.replaceOuter(st.userGram, st.workspace.previous, userFactors, user, k);
    userRowChanged(user);

    // An item with many users moves little per event: re-solve it on about one event in
    // (users / ITEM_SOLVE_USERS), which bounds the per-event cost while new items update every time.
    int itemUsers = st.usersOfItem.items(item).length;
    if (itemUsers <= ITEM_SOLVE_USERS || growthRandom.nextInt(itemUsers) < ITEM_SOLVE_USERS) {
      System.arraycopy(itemFactors, item * k, st.workspace.previous, 0, k);
      AlsSolver.solveRow(itemFactors, item, userFactors, st.userGram, k, st.usersOfItem.items(item),
          st.usersOfItem.values(item), config.regularization(), config.alpha(), config.onlineCgSteps(), st.workspace);
      AlsSolver.replaceOuter(yty, st.workspace.previous, itemFactors, item, k);
      itemRowChanged(item);
    }

    if (++st.sinceRefresh >= config.gramRefreshEvents()) {
      st.sinceRefresh = 0;
      st.userGram = AlsSolver.gram(userFactors, userCount, k);
      itemGram = AlsSolver.gram(itemFactors, itemCount, k);
    }
  }

  /**
   * The exact item half-step without the forgotten user: each shared item's row is the closed-form
   * minimiser {@code (XᵀX + Xᵀ(C_i − I)X + λI)⁻¹ XᵀC_i p_i} over the remaining users (the forgotten
   * row is already zero, so it drops out of {@code XᵀX}), solved by Cholesky rather than the
   * training's few CG steps.
   */
  @Override
  protected io.perennial.model.Unlearning refitSharedItems(int[] items) {
    online = null;
    int k = factors;
    float[] userGram = AlsSolver.gram(userFactors, userCount, k);
    ItemRaters byItem = itemUsers(items);
    for (int n = 0; n < items.length; n++) {
      float[] x = AlsSolver.solveExact(userFactors, userGram, k, byItem.users()[n], byItem.values()[n],
          config.regularization(), config.alpha());
      System.arraycopy(x, 0, itemFactors, items[n] * k, k);
      itemRowChanged(items[n]);
    }
    itemGram = null;
    return new io.perennial.model.Unlearning(io.perennial.model.Unlearning.Guarantee.EXACT, items.length, items.length, 0,
        items.length + " shared items re-solved exactly on the other users' rows");
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    saveCommon(s);
    return s;
  }

  /**
   * A model from factor tables trained elsewhere (Spark MLlib's ALS, a distributed solve) on
   * {@code train}: the histories, popularity and recency weighting are built as {@link IalsTrainer}
   * builds them, so the result recommends, learns online and checkpoints like one trained here.
   *
   * @param userFactors {@code train.userCount() × config.factors()} floats, row-major
   * @param itemFactors {@code train.itemCount() × config.factors()} floats, row-major
   */
  public static IalsModel fromFactors(IalsConfig config, io.perennial.data.Dataset train, float[] userFactors,
      float[] itemFactors) {
    int k = config.factors();
    if (userFactors.length != train.userCount() * k || itemFactors.length != train.itemCount() * k) {
      throw new IllegalArgumentException("factor tables are " + userFactors.length + " and " + itemFactors.length
          + " floats; " + train.userCount() + " users and " + train.itemCount() + " items × " + k + " factors need "
          + train.userCount() * k + " and " + train.itemCount() * k);
    }
    UserHistory history = UserHistory.of(IalsTrainer.recencyWeighted(train, config.recencyDecay()).byUser());
    return new IalsModel(config, history, io.perennial.model.AbstractRecommender.countItems(train.log(),
        train.itemCount()), train.userCount(), train.itemCount(), userFactors, itemFactors);
  }

  public static IalsModel restore(ModelState s) {
    IalsConfig config = new ObjectMapper().convertValue(s.config(), IalsConfig.class);
    int[] shape = shapeOf(s);
    check(shape[2] == config.factors(), "factors");
    return new IalsModel(config, UserHistory.loadFrom(s, "history"), s.floats("popularity"),
        shape[0], shape[1], s.floats("user_factors"), s.floats("item_factors"));
  }
}
