package io.perennial.model.neumf;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.kernel.VectorOps;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.ModelState;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.Stability;
import io.perennial.model.Update;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import io.perennial.model.VectorRetrieval;
import io.perennial.nn.ParameterOptimizer;
import io.perennial.nn.ParameterSet;
import io.perennial.nn.RowSet;
import io.perennial.nn.Tensor;
import io.perennial.optim.Optimizer;
import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A trained NeuMF model: {@code score(u, i)} is the fused network's logit (a ranking score; its
 * sigmoid is the predicted probability of an interaction). Catalogue scoring runs the network over
 * all items for one user in chunks of matrix products; the GMF part serves as the dot-product
 * retrieval stage ({@link VectorRetrieval}) whose candidates the full network re-ranks.
 */
public final class NeumfModel extends AbstractRecommender implements OnlineLearner, VectorRetrieval,
    io.perennial.model.DenseNetwork, io.perennial.model.DifferentiallyPrivate {

  public static final String TYPE = "neumf";
  /** Items per matrix product when scoring a catalogue. */
  private static final int SCORE_CHUNK = 256;

  private final NeumfConfig config;
  /** Replaced by a bigger one when the tables outgrow it; readers take one reference per call. */
  private volatile NeumfNetwork network;
  private final SplittableRandom updateRandom;
  private final ThreadLocal<NeumfNetwork.Workspace> scoring;
  /** Writer-side buffers and the online optimiser (writes are single-threaded by contract). */
  private NeumfNetwork.Workspace training;
  private ParameterOptimizer online;
  private NeumfNetwork onlineNetwork;
  /**
   * {@code W_i q'_i} of every item for the parameters as they are, or null: built after training
   * and updates ({@link #refreshScoring}) and dropped by every write, so a model learning online
   * per event scores without it instead of rebuilding it per event.
   */
  private volatile Projection projection;

  private record Projection(NeumfNetwork network, int items, float[] values) {}

  /** The DP-SGD guarantee of the training, or null; later updates (fine-tunes, online steps) are not private. */
  private io.perennial.privacy.PrivacyReport privacy;

  NeumfModel(NeumfConfig config, UserHistory history, float[] popularity, int users, int items,
      NeumfNetwork network) {
    super(history, popularity, users, items);
    if (network.gmfItem.table().offset() != 0) {
      throw new IllegalStateException("the GMF item table must open the parameter array");
    }
    this.config = config;
    this.network = network;
    this.updateRandom = new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
    this.scoring = ThreadLocal.withInitial(() -> this.network.workspace(SCORE_CHUNK));
  }

  @Override
  public String type() {
    return TYPE;
  }

  public NeumfConfig config() {
    return config;
  }

  NeumfNetwork network() {
    return network;
  }

  /**
   * The guarantee of the network's parameters as DP-SGD left them. The model's histories and
   * popularity counts are the training data itself, and updates after training take non-private
   * steps.
   */
  @Override
  public io.perennial.privacy.PrivacyReport privacy() {
    return privacy;
  }

  void setPrivacy(io.perennial.privacy.PrivacyReport report) {
    this.privacy = report;
  }

  /** The network's parameters (a live view, replaced when the tables grow). */
  @Override
  public ParameterSet parameters() {
    return network.params;
  }

  // ---- scoring ----

  @Override
  public float score(int user, int item) {
    if (item < 0 || item >= itemCount) {
      return Float.NaN;
    }
    if (user < 0 || user >= userCount) {
      return popularity[item];
    }
    NeumfNetwork net = network;
    NeumfNetwork.Workspace ws = scoring.get();
    ws.users[0] = user;
    ws.items[0] = item;
    net.gather(net.params.values(), ws, 1);
    net.forward(net.params.values(), ws, 1, NeumfNetwork.Mode.FUSED);
    return ws.logits[0];
  }

  @Override
  protected boolean needsVector() {
    return true;
  }

  /** The user's GMF row followed by the MLP row, {@code g + e} floats. */
  @Override
  protected UserQuery queryFor(int user) {
    int[] items = history.items(user);
    if (items.length == 0) {
      return null;
    }
    return new UserQuery(items, history.values(user), userVector(network, user), 0);
  }

  private static float[] userVector(NeumfNetwork net, int user) {
    float[] v = new float[net.g + net.e];
    float[] values = net.params.values();
    System.arraycopy(values, net.gmfUser.table().offset() + user * net.g, v, 0, net.g);
    System.arraycopy(values, net.mlpUser.table().offset() + user * net.e, v, net.g, net.e);
    return v;
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    NeumfNetwork net = network;
    float[] v = user.vector();
    Projection p = projection;
    float[] items = p != null && p.network == net && p.items == itemCount ? p.values : null;
    net.scoreAll(net.params.values(), v, 0, v, net.g, itemCount, out, scoring.get(), items);
  }

  /** Cosine similarity of the items' embeddings, GMF and MLP rows side by side. */
  @Override
  public Recommendations similarItems(int item, int k) {
    if (item < 0 || item >= itemCount) {
      return select(popularity, new int[0], k, null, true);
    }
    NeumfNetwork net = network;
    float[] values = net.params.values();
    int go = net.gmfItem.table().offset();
    int mo = net.mlpItem.table().offset();
    float[] scores = new float[itemCount];
    float self = itemNorm(values, go, mo, net, item);
    for (int i = 0; i < itemCount; i++) {
      float dot = VectorOps.dot(values, go + item * net.g, values, go + i * net.g, net.g)
          + VectorOps.dot(values, mo + item * net.e, values, mo + i * net.e, net.e);
      float denom = self * itemNorm(values, go, mo, net, i);
      scores[i] = denom > 0 ? dot / denom : 0;
    }
    return select(scores, new int[] {item}, k, null, false);
  }

  private static float itemNorm(float[] values, int go, int mo, NeumfNetwork net, int item) {
    float a = VectorOps.norm(values, go + item * net.g, net.g);
    float b = VectorOps.norm(values, mo + item * net.e, net.e);
    return (float) Math.sqrt(a * a + b * b);
  }

  /** Builds the item-side projection for the current parameters: call after a batch of writes. */
  void refreshScoring() {
    NeumfNetwork net = network;
    projection = new Projection(net, itemCount, net.projectItems(net.params.values(), itemCount));
  }

  @Override
  public java.util.List<String> itemTableNames() {
    return java.util.List.of(NeumfNetwork.GMF_ITEM, NeumfNetwork.MLP_ITEM);
  }

  @Override
  public void parametersChanged() {
    refreshScoring();
  }

  /** Drops the item-side projection: call before changing parameters. */
  void parametersChanging() {
    projection = null;
  }

  // ---- retrieval: the GMF part is a dot product ----

  @Override
  public int retrievalDims() {
    return network.g;
  }

  /** The parameter array itself: the GMF item table opens it (rows beyond the item count are other parameters). */
  @Override
  public float[] retrievalItemVectors() {
    return network.params.values();
  }

  @Override
  public float[] retrievalItemBias() {
    return null;
  }

  /** {@code h_gmf ⊙ p_u}: the GMF part of the logit is this query dotted with the GMF item row. */
  @Override
  public boolean retrievalQuery(int user, float[] out) {
    if (user < 0 || user >= userCount || history.items(user).length == 0) {
      return false;
    }
    NeumfNetwork net = network;
    float[] values = net.params.values();
    int h = net.predictGmf.weight().offset();
    int p = net.gmfUser.table().offset() + user * net.g;
    for (int d = 0; d < net.g; d++) {
      out[d] = values[h + d] * values[p + d];
    }
    return true;
  }

  @Override
  public int retrievalCandidates(int k) {
    return config.candidatesFor(k);
  }

  // ---- fold-in ----

  /**
   * Fits fresh user rows to the items with every other parameter frozen: {@code foldInSteps}
   * full-batch Adam steps on the BCE of the items against fresh negatives, seeded from the items
   * so the same history gives the same rows.
   */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    int[] sorted = items.clone();
    Arrays.sort(sorted);
    NeumfNetwork net = network;
    int width = net.g + net.e;
    SplittableRandom random = new SplittableRandom(Arrays.hashCode(sorted) ^ config.seed());
    float[] vector = new float[width];
    for (int d = 0; d < width; d++) {
      vector[d] = (float) (random.nextGaussian() * config.initStd());
    }
    int[] known = Arrays.stream(sorted).filter(i -> i >= 0 && i < itemCount).toArray();
    NeumfNetwork.Workspace ws = scoring.get();
    int k = config.negatives();
    int perChunk = Math.max(1, ws.rows / (1 + k));
    float[] grad = new float[width];
    Optimizer adam = new Optimizer(OptimizerConfig.sgd(config.foldInLearningRate()).withKind(OptimizerKind.ADAM), 1,
        width);
    float[] params = net.params.values();
    for (int step = 0; step < config.foldInSteps() && known.length > 0; step++) {
      Arrays.fill(grad, 0f);
      for (int from = 0; from < known.length; from += perChunk) {
        int count = Math.min(perChunk, known.length - from);
        int n = 0;
        for (int p = from; p < from + count; p++) {
          ws.items[n] = known[p];
          ws.labels[n++] = 1f;
          for (int j = 0; j < k; j++) {
            ws.items[n] = NegativeBatches.negative(sorted, known[p], itemCount, random);
            ws.labels[n++] = 0f;
          }
        }
        net.gatherForUser(params, ws, n, vector);
        net.forward(params, ws, n, NeumfNetwork.Mode.FUSED);
        Arrays.fill(ws.dlogits, 0, n, 0f);
        // each chunk's mean weighted by its share of the rows: the sum is the mean over all of them
        io.perennial.nn.Losses.bceBackward(ws.dlogits, 0, ws.logits, 0, ws.labels, 0, null, 0, n,
            (float) count / known.length);
        net.backward(params, null, ws, n, NeumfNetwork.Mode.FUSED);
        for (int r = 0; r < n; r++) {
          for (int d = 0; d < net.g; d++) {
            grad[d] += ws.dgu[r * net.g + d];
          }
          for (int d = 0; d < net.e; d++) {
            grad[net.g + d] += ws.dmu[r * net.e + d];
          }
        }
      }
      adam.updateRow(vector, 0, grad, 0);
      adam.advance();
    }
    float[] ones = new float[sorted.length];
    Arrays.fill(ones, 1f);
    return new UserQuery(sorted, ones, vector, 0);
  }

  // ---- updates ----

  /**
   * Grows the tables, records the events, and runs {@code partialFitEpochs} passes of mini-batches
   * over the new and replayed events with a fresh Adam. With forgetting protection, each step adds
   * the gradient of an anchor penalty {@code (anchor/2) Σ F (θ - θ₀)²} on the parameters that
   * existed before the update (F the normalised diagonal Fisher estimate, or 1), and a
   * distillation batch: users from the replay (or any user the teacher knows) paired with random
   * items, the teacher's {@code σ(score)} as soft BCE targets, weighted by {@code distillation}.
   * The teacher is {@code update.teacher()} when it is a NeuMF model, else the model before the update.
   */
  @Override
  public void partialFit(Update update) {
    parametersChanging();
    InteractionLog events = update.events();
    InteractionLog replay = update.replay();
    int oldUsers = userCount;
    int oldItems = itemCount;
    grow(Math.max(update.users(), userCount), Math.max(update.items(), itemCount));
    growHistory(events, userCount);
    growPopularity(events, itemCount);
    warmStartNewUsers(oldUsers);
    int n = events.size() + replay.size();
    if (n == 0 || config.partialFitEpochs() == 0) {
      refreshScoring();
      return;
    }
    int[] users = new int[n];
    int[] items = new int[n];
    for (int e = 0; e < n; e++) {
      InteractionLog source = e < events.size() ? events : replay;
      int at = e < events.size() ? e : e - events.size();
      users[e] = source.user(at);
      items[e] = source.item(at);
    }
    NeumfNetwork net = network;
    Stability stability = update.stability();
    float[] anchor = stability.anchor() > 0 ? net.params.values().clone() : null;
    float[] fisher = anchor != null && stability.fisherWeighted()
        ? fisher(replay.size() > 0 ? replay : events) : null;
    Teacher teacher = stability.distillation() > 0 ? teacher(update.teacher(), net, oldUsers, oldItems) : null;
    NeumfNetwork.Workspace ws = trainingWorkspace();
    NeumfNetwork.Workspace teacherWs = teacher == null ? null : teacher.network.workspace(ws.rows);
    ParameterOptimizer adam = new ParameterOptimizer(net.params, NeumfTrainer.adam(config.learningRate(),
        config.weightDecay()), 0);
    int k = config.negatives();
    int batch = config.batchSize();
    int[] order = new int[n];
    for (int epoch = 0; epoch < config.partialFitEpochs(); epoch++) {
      NegativeBatches.shuffle(order, updateRandom);
      for (int from = 0; from < n; from += batch) {
        int count = Math.min(batch, n - from);
        int rows = NegativeBatches.fill(ws, users, items, order, from, count, k, history, itemCount, updateRandom);
        net.trainStep(ws, rows, NeumfNetwork.Mode.FUSED, 1f, 1 + k);
        if (teacher != null && teacher.users > 0 && teacher.items > 1) {
          distil(net, ws, teacher, teacherWs, count, replay, stability.distillation());
        }
        if (anchor != null) {
          anchorGradient(net.params, anchor, fisher, oldUsers, oldItems, stability.anchor());
        }
        adam.step();
      }
    }
    refreshScoring();
  }

  /**
   * Users new in this update start from their folded-in rows ({@link #foldInUser}) rather than from
   * noise: a few fine-tune steps over a handful of events would leave a fresh random row close to
   * where it started.
   */
  private void warmStartNewUsers(int oldUsers) {
    NeumfNetwork net = network;
    float[] values = net.params.values();
    for (int u = oldUsers; u < userCount; u++) {
      int[] items = history.items(u);
      if (items.length == 0) {
        continue;
      }
      float[] v = foldInUser(items, history.values(u)).vector();
      System.arraycopy(v, 0, values, net.gmfUser.table().offset() + u * net.g, net.g);
      System.arraycopy(v, net.g, values, net.mlpUser.table().offset() + u * net.e, net.e);
    }
  }

  /** The model distillation learns from: its network, parameter values and the ids it knows. */
  private record Teacher(NeumfNetwork network, float[] values, int users, int items) {}

  private Teacher teacher(Recommender given, NeumfNetwork net, int oldUsers, int oldItems) {
    if (given instanceof NeumfModel earlier && earlier != this) {
      return new Teacher(earlier.network, earlier.network.params.values(), earlier.userCount, earlier.itemCount);
    }
    return new Teacher(net, net.params.values().clone(), oldUsers, oldItems);
  }

  /**
   * One distillation batch into the gradients: {@code rows} (past user, random item) pairs with the
   * teacher's {@code σ(s_teacher)} as labels; BCE against soft targets keeps the student's scores near
   * the teacher's.
   */
  private void distil(NeumfNetwork net, NeumfNetwork.Workspace ws, Teacher teacher, NeumfNetwork.Workspace tws,
      int rows, InteractionLog replay, float weight) {
    for (int r = 0; r < rows; r++) {
      int user = replay.size() > 0 ? replay.user(updateRandom.nextInt(replay.size())) : updateRandom.nextInt(teacher.users);
      if (user >= teacher.users) {
        user = updateRandom.nextInt(teacher.users);
      }
      tws.users[r] = user;
      tws.items[r] = updateRandom.nextInt(teacher.items);
    }
    teacher.network.gather(teacher.values, tws, rows);
    teacher.network.forward(teacher.values, tws, rows, NeumfNetwork.Mode.FUSED);
    for (int r = 0; r < rows; r++) {
      ws.users[r] = tws.users[r];
      ws.items[r] = tws.items[r];
      ws.labels[r] = sigmoid(tws.logits[r]);
    }
    net.trainStep(ws, rows, NeumfNetwork.Mode.FUSED, weight, 1);
  }

  private static float sigmoid(float x) {
    return x >= 0 ? (float) (1 / (1 + Math.exp(-x))) : (float) (Math.exp(x) / (1 + Math.exp(x)));
  }

  /**
   * Adds {@code anchor · F · (θ - θ₀)}, the gradient of {@code (anchor/2) Σ F (θ - θ₀)²}, for every
   * dense parameter and every touched table row that existed before the update.
   */
  private static void anchorGradient(ParameterSet params, float[] anchor, float[] fisher, int oldUsers, int oldItems,
      float strength) {
    float[] values = params.values();
    float[] grads = params.grads();
    for (Tensor t : params.tensors()) {
      if (t.isTable()) {
        int existed = t.name().endsWith(".user") ? oldUsers : oldItems;
        RowSet rows = params.touched(t);
        for (int j = 0; j < rows.size(); j++) {
          int row = rows.get(j);
          if (row < existed) {
            pull(values, grads, anchor, fisher, t.offset() + row * t.cols(), t.cols(), strength);
          }
        }
      } else {
        pull(values, grads, anchor, fisher, t.offset(), t.size(), strength);
      }
    }
  }

  private static void pull(float[] values, float[] grads, float[] anchor, float[] fisher, int from, int n,
      float strength) {
    for (int p = from; p < from + n; p++) {
      float weight = fisher == null ? 1f : fisher[p];
      grads[p] += strength * weight * (values[p] - anchor[p]);
    }
  }

  /**
   * Diagonal Fisher estimate over the flat parameter array: the mean squared BCE gradient over
   * mini-batches from {@code past}, normalised to mean 1 over the parameters that received any.
   */
  private float[] fisher(InteractionLog past) {
    NeumfNetwork net = network;
    ParameterSet params = net.params;
    float[] f = new float[params.size()];
    if (past.size() == 0) {
      return f;
    }
    NeumfNetwork.Workspace ws = trainingWorkspace();
    int k = config.negatives();
    int batches = Math.max(1, Math.min(20, past.size() / config.batchSize()));
    float[] grads = params.grads();
    for (int b = 0; b < batches; b++) {
      int r = 0;
      for (int p = 0; p < config.batchSize(); p++) {
        int e = updateRandom.nextInt(past.size());
        int u = past.user(e);
        int i = past.item(e);
        if (u < userCount && i < itemCount) {
          r = NegativeBatches.addPositive(ws, r, u, i, k, history, itemCount, updateRandom);
        }
      }
      if (r == 0) {
        continue;
      }
      net.trainStep(ws, r, NeumfNetwork.Mode.FUSED, 1f, 1 + k);
      for (int p = 0; p < f.length; p++) {
        f[p] += grads[p] * grads[p];
      }
      params.zeroGrad();
    }
    double sum = 0;
    int nonZero = 0;
    for (float v : f) {
      if (v > 0) {
        sum += v;
        nonZero++;
      }
    }
    if (nonZero > 0) {
      float mean = (float) (sum / nonZero);
      for (int p = 0; p < f.length; p++) {
        f[p] /= mean;
      }
    }
    return f;
  }

  /** {@code onlineSteps} SGD steps on the event against fresh negatives; tables grow for new ids. */
  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    parametersChanging();
    grow(Math.max(userCount, user + 1), Math.max(itemCount, item + 1));
    recordEvent(user, item, value);
    NeumfNetwork net = network;
    if (online == null || onlineNetwork != net) {
      online = new ParameterOptimizer(net.params, OptimizerConfig.sgd(config.onlineLearningRate()), 0);
      onlineNetwork = net;
    }
    NeumfNetwork.Workspace ws = trainingWorkspace();
    for (int s = 0; s < config.onlineSteps(); s++) {
      int rows = NegativeBatches.addPositive(ws, 0, user, item, config.negatives(), history, itemCount, updateRandom);
      net.trainStep(ws, rows, NeumfNetwork.Mode.FUSED, 1f, rows);
      online.step();
    }
  }

  private NeumfNetwork.Workspace trainingWorkspace() {
    if (training == null) {
      training = network.workspace(config.batchSize() * (1 + config.negatives()));
    }
    return training;
  }

  /**
   * Grows the tables to {@code users × items}: a bigger network (capacity grows geometrically, so a
   * stream of new ids costs amortised O(1) copies per id) takes over every learned value, and the
   * new rows start as small normal vectors.
   */
  private void grow(int users, int items) {
    NeumfNetwork net = network;
    if (users > net.userRows || items > net.itemRows) {
      int userRows = users > net.userRows ? Math.max(users, net.userRows + net.userRows / 2 + 16) : net.userRows;
      int itemRows = items > net.itemRows ? Math.max(items, net.itemRows + net.itemRows / 2 + 16) : net.itemRows;
      NeumfNetwork bigger = new NeumfNetwork(config, userRows, itemRows);
      bigger.copyFrom(net);
      network = bigger;
      net = bigger;
    }
    if (users > userCount) {
      net.initUserRows(userCount, users, config.initStd(), updateRandom);
      userCount = users;
    }
    if (items > itemCount) {
      net.initItemRows(itemCount, items, config.initStd(), updateRandom);
      if (popularity.length < items) {
        popularity = Arrays.copyOf(popularity, Math.max(items, itemCount + itemCount / 2 + 16));
      }
      itemCount = items;
    }
    history.ensureUsers(userCount);
  }

  @Override
  public void evictUser(int user) {
    super.evictUser(user);
    if (user >= 0 && user < userCount) {
      NeumfNetwork net = network;
      zeroRow(net, net.gmfUser.table(), user);
      zeroRow(net, net.mlpUser.table(), user);
    }
  }

  @Override
  public void retireItem(int item) {
    parametersChanging();
    super.retireItem(item);
    if (item >= 0 && item < itemCount) {
      NeumfNetwork net = network;
      zeroRow(net, net.gmfItem.table(), item);
      zeroRow(net, net.mlpItem.table(), item);
    }
  }

  private static void zeroRow(NeumfNetwork net, Tensor table, int row) {
    int at = table.offset() + row * table.cols();
    Arrays.fill(net.params.values(), at, at + table.cols(), 0f);
  }

  // ---- checkpoints ----

  /** Section name of a parameter tensor in the model state. */
  private static String section(Tensor t) {
    return "param." + t.name();
  }

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    NeumfNetwork net = network;
    float[] values = net.params.values();
    for (Tensor t : net.params.tensors()) {
      int n = t.isTable() ? (t.name().endsWith(".user") ? userCount : itemCount) * t.cols() : t.size();
      s.put(section(t), Arrays.copyOfRange(values, t.offset(), t.offset() + n));
    }
    s.put("popularity", Arrays.copyOf(popularity, itemCount)).put("shape", new int[] {userCount, itemCount});
    if (net.params.mask() != null) {
      s.put(io.perennial.model.DenseNetwork.PRUNE_MASK, net.params.mask().toWords());
    }
    history.saveTo(s, "history");
    if (privacy != null) {
      s.put("dp_report", privacy.toArray());
    }
    return s;
  }

  public static NeumfModel restore(ModelState s) {
    NeumfConfig config = new ObjectMapper().convertValue(s.config(), NeumfConfig.class);
    int[] shape = s.ints("shape");
    if (shape.length != 2 || shape[0] < 0 || shape[1] < 0) {
      throw new IllegalArgumentException("inconsistent model state: bad shape section");
    }
    NeumfNetwork net = new NeumfNetwork(config, shape[0], shape[1]);
    float[] values = net.params.values();
    for (Tensor t : net.params.tensors()) {
      float[] saved = s.floats(section(t));
      int expected = t.isTable() ? (t.name().endsWith(".user") ? shape[0] : shape[1]) * t.cols() : t.size();
      if (saved.length != expected) {
        throw new IllegalArgumentException("inconsistent model state: section '" + section(t) + "' holds "
            + saved.length + " floats, the config and shape need " + expected);
      }
      System.arraycopy(saved, 0, values, t.offset(), expected);
    }
    float[] popularity = s.floats("popularity");
    if (popularity.length != shape[1]) {
      throw new IllegalArgumentException("inconsistent model state: popularity size");
    }
    if (s.ints().containsKey(io.perennial.model.DenseNetwork.PRUNE_MASK)) {
      io.perennial.nn.PruneMask.fromWords(net.params, s.ints(io.perennial.model.DenseNetwork.PRUNE_MASK));
    }
    NeumfModel model = new NeumfModel(config, UserHistory.loadFrom(s, "history"), popularity, shape[0], shape[1], net);
    float[] report = s.floats().get("dp_report");
    if (report != null) {
      model.privacy = io.perennial.privacy.PrivacyReport.fromArray(report);
    }
    model.refreshScoring();
    return model;
  }
}
