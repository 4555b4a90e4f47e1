package io.perennial.model.quantized;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.kernel.CompactTable;
import io.perennial.kernel.Fp16Table;
import io.perennial.kernel.Int8Table;
import io.perennial.kernel.VectorOps;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.Update;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import io.perennial.model.VectorRetrieval;
import java.util.Arrays;
import java.util.Map;

/**
 * A factor model ({@code mf}, {@code bpr}, {@code ials}) whose user and item tables are int8 codes
 * with one scale per row ({@link Int8Table}), or half-precision floats ({@link Fp16Table}, type
 * {@code fp16}; everything below holds for both): {@code score(u, i) = global + b_u + b_i + p̂_u · q̂_i}, the dot on the
 * kernel's int8 path with the user's row widened to floats (only the stored tables lose precision,
 * never the query). Biases, popularity and the histories stay as they were.
 *
 * <p>It is a serving and shipping form: a quarter of the table memory and, in a checkpoint, with the
 * histories stored compactly ({@link UserHistory#saveCompactTo}), under a third of the file. What
 * needs the float model — {@link #foldInUser} (iALS solves against the Gram matrix of the item
 * table) and {@link #partialFit} — materialises it once from the codes ({@link #fp32()}) and keeps
 * it; a {@code partialFit} then learns on that float model and re-quantises its tables, so the codes
 * always come from the tables as learned, never from a decoded copy of a decoded copy.
 *
 * <p>{@link #following} serves a float model that keeps learning in place (the server's online
 * learner): the codes are this model's, everything else (histories, popularity, biases, retired
 * items) is the float model's own, shared, and {@link #catchUp} re-codes the rows the float model
 * reported changed ({@link FactorModel#trackRowChanges}) and the rows it grew by, so the int8
 * copy is exact to the float model after every catch-up at O(factors) per changed row.
 */
public final class QuantizedModel extends AbstractRecommender implements VectorRetrieval {

  /** The model type in checkpoints of int8 tables. */
  public static final String TYPE = "int8";
  /** The model type in checkpoints of fp16 tables. */
  public static final String TYPE_FP16 = "fp16";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BASE = "base/";

  private final Quantization form;
  private final String baseType;
  private final JsonNode baseConfig;
  /** The base model's sections other than the factor tables and the history, kept as they were. */
  private ModelState extras;
  private final int factors;
  private CompactTable users;
  private CompactTable items;
  private float[] userBias;
  private float[] itemBias;
  private float globalBias;
  /** Predicted-rating clip of an {@code mf} base ({@code null}: none). */
  private float[] ratingRange;
  private volatile float[] itemNorms;
  private volatile float[] itemVectors;
  /** The float model, once something needed it. */
  private FactorModel fp32;
  /** The float model's rows changed since the last catch-up, when this follows it; else {@code null}. */
  private ChangedRows changed;

  private QuantizedModel(Quantization form, String baseType, JsonNode baseConfig, ModelState extras,
      UserHistory history, float[] popularity, int factors, CompactTable users, CompactTable items, float[] userBias,
      float[] itemBias, float globalBias) {
    super(history, popularity, users.rows(), items.rows());
    this.form = form;
    this.baseType = baseType;
    this.baseConfig = baseConfig;
    this.extras = extras;
    this.factors = factors;
    this.users = users;
    this.items = items;
    this.userBias = userBias;
    this.itemBias = itemBias;
    this.globalBias = globalBias;
    this.ratingRange = extras.floats().get("rating_range");
  }

  /**
   * Quantises a trained model's tables.
   *
   * @throws IllegalArgumentException when the model is not a factor model (nothing to quantise) or
   *     has a non-finite parameter
   */
  public static QuantizedModel of(Recommender model) {
    return of(model, Quantization.INT8);
  }

  /**
   * Stores a trained model's tables in {@code form} ({@code INT8} or {@code FP16}); a quantised
   * model already in that form is returned as it is, one in the other form is re-coded from its
   * decoded tables.
   *
   * @throws IllegalArgumentException when the model is not a factor model, has a non-finite
   *     parameter, or (fp16) one beyond the half range
   */
  public static QuantizedModel of(Recommender model, Quantization form) {
    if (form == Quantization.NONE) {
      throw new IllegalArgumentException("a quantised model needs int8 or fp16, not none");
    }
    if (model instanceof QuantizedModel q) {
      if (q.form == form) {
        return q;
      }
      model = q.fp32();
    }
    if (!(model instanceof FactorModel f)) {
      throw new IllegalArgumentException(form.label() + " quantisation needs a factor model (mf, bpr, ials), not "
          + model.type());
    }
    ModelState state = f.state();
    QuantizedModel q = new QuantizedModel(form, state.type(), state.config(), extrasOf(state), f.history(),
        Arrays.copyOf(f.popularity(), f.itemCount()), f.factors(),
        table(form, f.userFactors(), f.userCount(), f.factors()),
        table(form, f.itemFactors(), f.itemCount(), f.factors()),
        f.userBias() == null ? null : Arrays.copyOf(f.userBias(), f.userCount()),
        f.itemBias() == null ? null : Arrays.copyOf(f.itemBias(), f.itemCount()), f.globalBias());
    copyRetired(f, q, f.itemCount());
    return q;
  }

  /**
   * Quantises a float model that goes on learning in place and follows it: call {@link #catchUp}
   * after each run of writes to it, before readers see this model again. The float model is this
   * one's {@link #fp32()} (fold-ins solve against it exactly), and it is what a checkpoint should
   * hold, since it is the one that learns.
   */
  public static QuantizedModel following(FactorModel model) {
    return following(model, Quantization.INT8);
  }

  /** As {@link #following(FactorModel)}, the tables in {@code form}. */
  public static QuantizedModel following(FactorModel model, Quantization form) {
    QuantizedModel q = of(model, form);
    q.fp32 = model;
    q.changed = new ChangedRows();
    q.shareLiveState(model);
    model.trackRowChanges(q.changed);
    return q;
  }

  /** Whether this model follows a learning float model ({@link #following}). */
  public boolean follows() {
    return changed != null;
  }

  /**
   * Re-codes the rows of the followed float model that changed or were added since the last
   * catch-up and takes over its counts, biases and popularity. A write: no reader may see this
   * model meanwhile. Does nothing for a model that follows none.
   */
  public void catchUp() {
    if (changed == null) {
      return;
    }
    FactorModel base = fp32;
    boolean grewItems = base.itemCount() > items.rows();
    for (int u = users.rows(); u < base.userCount(); u++) {
      users.setRow(u, base.userFactors(), u * factors);
    }
    for (int i = items.rows(); i < base.itemCount(); i++) {
      items.setRow(i, base.itemFactors(), i * factors);
    }
    changed.drainUsers(u -> users.setRow(u, base.userFactors(), u * factors));
    float[] norms = grewItems ? null : itemNorms;
    float[] row = new float[factors];
    changed.drainItems(i -> {
      items.setRow(i, base.itemFactors(), i * factors);
      if (norms != null) {
        items.dequantizeRow(i, row, 0);
        norms[i] = VectorOps.norm(row, 0, factors);
      }
    });
    shareLiveState(base);
    itemNorms = norms;
  }

  /** Takes the float model's counts and non-table state by reference (they change with it). */
  private void shareLiveState(FactorModel base) {
    history = base.history();
    popularity = base.popularity();
    userBias = base.userBias();
    itemBias = base.itemBias();
    globalBias = base.globalBias();
    userCount = base.userCount();
    itemCount = base.itemCount();
    copyRetiredFrom(base);
  }

  /** Distinct row indices reported changed, in report order; the learner thread's alone. */
  private static final class ChangedRows implements FactorModel.RowChanges {
    private final java.util.BitSet userSeen = new java.util.BitSet();
    private final java.util.BitSet itemSeen = new java.util.BitSet();
    private int[] userRows = new int[64];
    private int[] itemRows = new int[64];
    private int userCount;
    private int itemCount;

    @Override
    public void userChanged(int user) {
      if (!userSeen.get(user)) {
        userSeen.set(user);
        userRows = append(userRows, userCount++, user);
      }
    }

    @Override
    public void itemChanged(int item) {
      if (!itemSeen.get(item)) {
        itemSeen.set(item);
        itemRows = append(itemRows, itemCount++, item);
      }
    }

    private static int[] append(int[] rows, int at, int value) {
      int[] r = at < rows.length ? rows : Arrays.copyOf(rows, rows.length * 2);
      r[at] = value;
      return r;
    }

    void drainUsers(java.util.function.IntConsumer sink) {
      for (int p = 0; p < userCount; p++) {
        userSeen.clear(userRows[p]);
        sink.accept(userRows[p]);
      }
      userCount = 0;
    }

    void drainItems(java.util.function.IntConsumer sink) {
      for (int p = 0; p < itemCount; p++) {
        itemSeen.clear(itemRows[p]);
        sink.accept(itemRows[p]);
      }
      itemCount = 0;
    }
  }

  private static CompactTable table(Quantization form, float[] values, int rows, int dims) {
    return form == Quantization.FP16 ? Fp16Table.quantize(values, rows, dims) : Int8Table.quantize(values, rows, dims);
  }

  private static ModelState extrasOf(ModelState state) {
    ModelState extras = new ModelState(state.type(), state.config());
    state.floats().forEach((name, values) -> {
      if (!isTableOrHistory(name)) {
        extras.put(name, values);
      }
    });
    state.ints().forEach((name, values) -> {
      if (!isTableOrHistory(name) && !name.equals("shape")) {
        extras.put(name, values);
      }
    });
    return extras;
  }

  private static boolean isTableOrHistory(String name) {
    return name.equals("user_factors") || name.equals("item_factors") || name.startsWith("history.")
        || name.equals("popularity") || name.equals("user_bias") || name.equals("item_bias")
        || name.equals("global_bias");
  }

  private static void copyRetired(AbstractRecommender from, AbstractRecommender to, int items) {
    for (int i = 0; i < items; i++) {
      if (from.isRetired(i)) {
        to.retireItem(i);
      }
    }
  }

  @Override
  public String type() {
    return form == Quantization.FP16 ? TYPE_FP16 : TYPE;
  }

  /** How the tables are stored: {@code INT8} or {@code FP16}. */
  public Quantization quantization() {
    return form;
  }

  /** The type of the model whose tables these are ({@code ials}, {@code bpr}, {@code mf}). */
  public String baseType() {
    return baseType;
  }

  public int factors() {
    return factors;
  }

  /** The user table: an {@link Int8Table} or an {@link Fp16Table}, as {@link #quantization()} says. */
  public CompactTable userTable() {
    return users;
  }

  /** The item table, in the same form as the user table. */
  public CompactTable itemTable() {
    return items;
  }

  /**
   * Bytes of the factor tables: int8 codes plus scales, or two per fp16 element (the float tables
   * take {@code 4 × factors} per row).
   */
  public long tableBytes() {
    return users.bytes() + items.bytes();
  }

  @Override
  public float score(int user, int item) {
    if (item < 0 || item >= itemCount) {
      return Float.NaN;
    }
    float s = globalBias + (itemBias == null ? 0 : itemBias[item]);
    if (user >= 0 && user < userCount) {
      float[] query = new float[factors];
      users.dequantizeRow(user, query, 0);
      s += (userBias == null ? 0 : userBias[user]) + items.dot(item, query, 0);
    }
    if (ratingRange != null && ratingRange.length == 2 && ratingRange[0] <= ratingRange[1]) {
      s = Math.max(ratingRange[0], Math.min(ratingRange[1], s));
    }
    return s;
  }

  @Override
  protected boolean needsVector() {
    return true;
  }

  @Override
  protected UserQuery queryFor(int user) {
    int[] seen = history.items(user);
    if (seen.length == 0) {
      return null;
    }
    float[] vector = new float[factors];
    users.dequantizeRow(user, vector, 0);
    return new UserQuery(seen, history.values(user), vector, userBias == null ? 0 : userBias[user]);
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    items.scoreRows(user.vector(), itemCount, out);
    float offset = globalBias + user.bias();
    for (int i = 0; i < itemCount; i++) {
      out[i] += offset + (itemBias == null ? 0 : itemBias[i]);
    }
  }

  @Override
  public Recommendations similarItems(int item, int k) {
    if (item < 0 || item >= itemCount) {
      return select(popularity, new int[0], k, null, true);
    }
    float[] norms = norms();
    float[] query = new float[factors];
    items.dequantizeRow(item, query, 0);
    float[] scores = new float[itemCount];
    items.scoreRows(query, itemCount, scores);
    for (int i = 0; i < itemCount; i++) {
      float denom = norms[item] * norms[i];
      scores[i] = denom > 0 ? scores[i] / denom : 0;
    }
    return select(scores, new int[] {item}, k, null, false);
  }

  private float[] norms() {
    float[] n = itemNorms;
    if (n == null || n.length != itemCount) {
      n = new float[itemCount];
      float[] row = new float[factors];
      for (int i = 0; i < itemCount; i++) {
        items.dequantizeRow(i, row, 0);
        n[i] = VectorOps.norm(row, 0, factors);
      }
      itemNorms = n;
    }
    return n;
  }

  /** Solved (iALS) or stepped (SGD models) by the float model, as that model would. */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    return fp32().foldInUser(items, values);
  }

  /** Learns on the float model, then re-quantises every table from it. */
  @Override
  public void partialFit(Update update) {
    FactorModel base = fp32();
    base.partialFit(update);
    users = table(form, base.userFactors(), base.userCount(), factors);
    items = table(form, base.itemFactors(), base.itemCount(), factors);
    userBias = base.userBias() == null ? null : Arrays.copyOf(base.userBias(), base.userCount());
    itemBias = base.itemBias() == null ? null : Arrays.copyOf(base.itemBias(), base.itemCount());
    globalBias = base.globalBias();
    history = base.history();
    popularity = Arrays.copyOf(base.popularity(), base.itemCount());
    userCount = base.userCount();
    itemCount = base.itemCount();
    copyRetired(base, this, itemCount);
    extras = extrasOf(base.state());
    ratingRange = extras.floats().get("rating_range");
    itemNorms = null;
    itemVectors = null;
  }

  /**
   * The float model these tables decode to, built on first use and kept (it takes the float
   * tables' memory from then on). Not thread-safe on first use: call it under the write rule.
   */
  public synchronized FactorModel fp32() {
    if (fp32 == null) {
      // a following model always has one, so the first-use build never races its catch-ups
      fp32 = (FactorModel) Algorithms.restore(decodedState());
      copyRetired(this, fp32, itemCount);
    }
    return fp32;
  }

  /** The base model's state with the tables decoded to floats. */
  private ModelState decodedState() {
    ModelState s = new ModelState(baseType, baseConfig);
    extras.floats().forEach(s::put);
    extras.ints().forEach(s::put);
    s.put("user_factors", users.dequantize()).put("item_factors", items.dequantize())
        .put("popularity", Arrays.copyOf(popularity, itemCount)).put("global_bias", new float[] {globalBias})
        .put("shape", new int[] {userCount, itemCount, factors});
    if (userBias != null) {
      s.put("user_bias", userBias);
    }
    if (itemBias != null) {
      s.put("item_bias", itemBias);
    }
    history.saveTo(s, "history");
    return s;
  }

  // ---- retrieval: the server's search builds its graph over the decoded item vectors ----------

  @Override
  public int retrievalDims() {
    return factors;
  }

  /**
   * The float item table when this model has one (it follows a learning model, or materialised
   * it), else the codes decoded once: the graph walks floats, its candidates are re-ranked by
   * {@link #score}, on the int8 tables.
   */
  @Override
  public float[] retrievalItemVectors() {
    FactorModel base = fp32;
    if (base != null) {
      return base.itemFactors();
    }
    float[] v = itemVectors;
    if (v == null || v.length != itemCount * factors) {
      v = items.dequantize();
      itemVectors = v;
    }
    return v;
  }

  @Override
  public float[] retrievalItemBias() {
    return itemBias;
  }

  @Override
  public boolean retrievalQuery(int user, float[] out) {
    if (user < 0 || user >= userCount) {
      return false;
    }
    users.dequantizeRow(user, out, 0);
    return true;
  }

  // ---- state ----------------------------------------------------------------------------------

  @Override
  public ModelState state() {
    ObjectNode config = JSON.createObjectNode();
    config.put("base", baseType);
    config.set("config", baseConfig);
    ModelState s = new ModelState(type(), config);
    if (users instanceof Fp16Table u && items instanceof Fp16Table i) {
      s.put("user_halves", littleEndian(u.halves(), userCount * factors))
          .put("item_halves", littleEndian(i.halves(), itemCount * factors));
    } else {
      Int8Table u = (Int8Table) users;
      Int8Table i = (Int8Table) items;
      s.put("user_codes", Arrays.copyOf(u.codes(), userCount * factors))
          .put("user_scales", Arrays.copyOf(u.scales(), userCount))
          .put("item_codes", Arrays.copyOf(i.codes(), itemCount * factors))
          .put("item_scales", Arrays.copyOf(i.scales(), itemCount));
    }
    s.put("popularity", Arrays.copyOf(popularity, itemCount)).put("global_bias", new float[] {globalBias})
        .put("shape", new int[] {userCount, itemCount, factors});
    if (userBias != null) {
      s.put("user_bias", Arrays.copyOf(userBias, userCount));
    }
    if (itemBias != null) {
      s.put("item_bias", Arrays.copyOf(itemBias, itemCount));
    }
    for (Map.Entry<String, float[]> e : extras.floats().entrySet()) {
      s.put(BASE + e.getKey(), e.getValue().clone());
    }
    for (Map.Entry<String, int[]> e : extras.ints().entrySet()) {
      s.put(BASE + e.getKey(), e.getValue().clone());
    }
    history.saveCompactTo(s, "history");
    return s;
  }

  /**
   * Rebuilds a model from {@link #state()}.
   *
   * @throws IllegalArgumentException naming the inconsistent section
   */
  public static QuantizedModel restore(ModelState s) {
    Quantization form = s.type().equals(TYPE_FP16) ? Quantization.FP16 : Quantization.INT8;
    String baseType = s.config().path("base").asText("");
    if (baseType.isEmpty()) {
      throw new IllegalArgumentException(form.label() + " model state names no base model type");
    }
    int[] shape = s.ints("shape");
    if (shape.length != 3 || shape[0] < 0 || shape[1] < 0 || shape[2] <= 0) {
      throw new IllegalArgumentException("bad shape section");
    }
    CompactTable users;
    CompactTable items;
    if (form == Quantization.FP16) {
      users = new Fp16Table(shape[0], shape[2], fromLittleEndian(s.bytes("user_halves"), "user_halves"));
      items = new Fp16Table(shape[1], shape[2], fromLittleEndian(s.bytes("item_halves"), "item_halves"));
    } else {
      users = new Int8Table(shape[0], shape[2], s.bytes("user_codes"), s.floats("user_scales"));
      items = new Int8Table(shape[1], shape[2], s.bytes("item_codes"), s.floats("item_scales"));
    }
    ModelState extras = new ModelState(baseType, s.config().path("config"));
    s.floats().forEach((name, values) -> {
      if (name.startsWith(BASE)) {
        extras.put(name.substring(BASE.length()), values);
      }
    });
    s.ints().forEach((name, values) -> {
      if (name.startsWith(BASE)) {
        extras.put(name.substring(BASE.length()), values);
      }
    });
    float[] popularity = s.floats("popularity");
    float[] global = s.floats("global_bias");
    if (popularity.length != shape[1] || global.length != 1) {
      throw new IllegalArgumentException("inconsistent model state: popularity or global_bias size");
    }
    float[] userBias = s.floats().get("user_bias");
    float[] itemBias = s.floats().get("item_bias");
    if ((userBias != null && userBias.length != shape[0]) || (itemBias != null && itemBias.length != shape[1])) {
      throw new IllegalArgumentException("inconsistent model state: bias size");
    }
    UserHistory history = UserHistory.loadFrom(s, "history");
    history.ensureUsers(shape[0]);
    return new QuantizedModel(form, baseType, s.config().path("config"), extras, history, popularity, shape[2],
        users, items, userBias, itemBias, global[0]);
  }

  /** The first {@code count} halves as bytes, low byte first (a checkpoint's byte section). */
  private static byte[] littleEndian(short[] halves, int count) {
    byte[] out = new byte[2 * count];
    for (int n = 0; n < count; n++) {
      out[2 * n] = (byte) halves[n];
      out[2 * n + 1] = (byte) (halves[n] >>> 8);
    }
    return out;
  }

  private static short[] fromLittleEndian(byte[] bytes, String section) {
    if (bytes.length % 2 != 0) {
      throw new IllegalArgumentException("section " + section + " has an odd byte count (" + bytes.length + ")");
    }
    short[] out = new short[bytes.length / 2];
    for (int n = 0; n < out.length; n++) {
      out[n] = (short) ((bytes[2 * n] & 0xff) | (bytes[2 * n + 1] << 8));
    }
    return out;
  }
}
