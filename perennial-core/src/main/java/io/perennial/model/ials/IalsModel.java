package io.perennial.model.ials;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/** A trained iALS model: {@code score(u, i) = x_u · y_i}. */
public final class IalsModel extends FactorModel {

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
      g = AlsSolver.gram(itemFactors, itemCount, factors);
      itemGram = g;
    }
    return g;
  }

  @Override
  public void invalidateCaches() {
    super.invalidateCaches();
    itemGram = null;
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
   */
  @Override
  public void partialFit(InteractionLog events, int users, int items) {
    growTables(Math.max(users, userCount), Math.max(items, itemCount), growthRandom, config.initScale());
    growHistory(events, userCount);
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
        itemGram(), k, userRows(history), config);
    ItemUsers byItem = ItemUsers.of(history, itemCount, touchedItems);
    AlsSolver.solveAll(itemFactors, itemCount, touchedItems.stream().toArray(), userFactors,
        AlsSolver.gram(userFactors, userCount, k), k, byItem, config);
    invalidateCaches();
  }

  static AlsSolver.Rows userRows(UserHistory history) {
    return new AlsSolver.Rows() {
      @Override
      public int[] cols(int row) {
        return history.items(row);
      }

      @Override
      public float[] values(int row) {
        return history.values(row);
      }
    };
  }

  /** Item → users lists, for all items or only a chosen set. */
  static final class ItemUsers implements AlsSolver.Rows {
    private final int[][] users;
    private final float[][] values;

    private ItemUsers(int[][] users, float[][] values) {
      this.users = users;
      this.values = values;
    }

    static ItemUsers of(UserHistory history, int items, BitSet only) {
      int[] counts = new int[items];
      for (int u = 0; u < history.users(); u++) {
        for (int i : history.items(u)) {
          if (only == null || only.get(i)) {
            counts[i]++;
          }
        }
      }
      int[][] users = new int[items][];
      float[][] values = new float[items][];
      for (int i = 0; i < items; i++) {
        users[i] = new int[counts[i]];
        values[i] = new float[counts[i]];
      }
      int[] fill = new int[items];
      for (int u = 0; u < history.users(); u++) {
        int[] its = history.items(u);
        float[] vals = history.values(u);
        for (int n = 0; n < its.length; n++) {
          int i = its[n];
          if (only == null || only.get(i)) {
            users[i][fill[i]] = u;
            values[i][fill[i]++] = vals[n];
          }
        }
      }
      return new ItemUsers(users, values);
    }

    @Override
    public int[] cols(int row) {
      return users[row];
    }

    @Override
    public float[] values(int row) {
      return values[row];
    }
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    saveCommon(s);
    return s;
  }

  public static IalsModel restore(ModelState s) {
    IalsConfig config = new ObjectMapper().convertValue(s.config(), IalsConfig.class);
    int[] shape = shapeOf(s);
    check(shape[2] == config.factors(), "factors");
    return new IalsModel(config, UserHistory.loadFrom(s, "history"), s.floats("popularity"),
        shape[0], shape[1], s.floats("user_factors"), s.floats("item_factors"));
  }
}
