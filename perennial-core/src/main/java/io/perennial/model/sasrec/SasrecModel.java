package io.perennial.model.sasrec;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.InteractionLog;
import io.perennial.data.UserSequences;
import io.perennial.kernel.VectorOps;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.ModelState;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Parallel;
import io.perennial.model.Recommendations;
import io.perennial.model.SequenceAware;
import io.perennial.model.Stability;
import io.perennial.model.Update;
import io.perennial.model.UserHistory;
import io.perennial.model.UserQuery;
import io.perennial.model.VectorRetrieval;
import io.perennial.nn.Embedding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A trained SASRec model. A user is their last {@code maxLength} items in time order; the model
 * caches each user's final state (the network's output at the newest item), recomputed when the
 * user's sequence changes, and {@code score(u, i) = state_u · E[i]} with the item table E, so the
 * top-K is a maximum-inner-product search over E ({@link VectorRetrieval}). Similar items are
 * the nearest rows of E by cosine.
 *
 * <p>Reads ({@code recommend}, {@code score}, {@code foldInUser}) touch only the cached states
 * and the parameters; writes ({@code partialFit}, {@code learnOnline}, {@code observe}) follow the
 * package's concurrency rule. Online steps change every parameter a little but recompute only the
 * states of the users they trained on; a {@code partialFit} recomputes every state.
 */
public final class SasrecModel extends AbstractRecommender implements OnlineLearner, VectorRetrieval,
    SequenceAware, io.perennial.model.DenseNetwork, io.perennial.model.DifferentiallyPrivate {

  public static final String TYPE = "sasrec";
  /** Sequences per batch when the states are recomputed. */
  private static final int STATE_BATCH = 16;

  private final SasrecConfig config;
  private SasrecNetwork network;
  private int[][] sequences;
  private float[] states;
  private final SplittableRandom random;
  private long steps;
  /** The online learner's steps (optimiser state kept between events), built on the first event. */
  private SasrecSteps online;
  private final ThreadLocal<SasrecNetwork.Workspace[]> oneSequence = new ThreadLocal<>();
  private SasrecNetwork.Workspace smallRefresh;
  /** The DP-SGD guarantee of the training (per user), or null; later updates are not private. */
  private io.perennial.privacy.PrivacyReport privacy;

  SasrecModel(SasrecConfig config, SasrecNetwork network, UserHistory history, float[] popularity, int users,
      int items, int[][] sequences, float[] states, long steps) {
    super(history, popularity, users, items);
    if (network.itemTable().offset() != 0) {
      throw new IllegalStateException("the item table must lead the parameter set (retrieval reads it at 0)");
    }
    this.config = config;
    this.network = network;
    this.sequences = sequences;
    this.states = states;
    this.steps = steps;
    this.random = new SplittableRandom(SasrecSteps.mix(config.seed(), 0x5A5EC));
  }

  @Override
  public String type() {
    return TYPE;
  }

  public SasrecConfig config() {
    return config;
  }

  SasrecNetwork network() {
    return network;
  }

  /** Parameters of the network: item and positional embeddings plus the blocks (see {@link #embeddingParameters}). */
  public long parameterCount() {
    return network.parameterCount();
  }

  /** Parameters of the item and positional tables alone. */
  public long embeddingParameters() {
    return network.embeddingParameters();
  }

  /**
   * Serves {@code deeper} from now on (progressive training's deepened network; same items and
   * width): workspaces of the old network are dropped, the cached states are stale until {@link
   * #refreshAllStates}.
   */
  void replaceNetwork(SasrecNetwork deeper) {
    if (deeper.items() != network.items() || deeper.channels() != network.channels()
        || deeper.itemTable().offset() != 0) {
      throw new IllegalArgumentException("a replacement network must keep the item table and the width");
    }
    network = deeper;
    smallRefresh = null;
    online = null;
  }

  /**
   * The guarantee of the network's parameters as DP-SGD left them, per user. The cached user
   * states, sequences, histories and popularity counts are the training data itself (each user's
   * state is computed from their own sequence), and updates after training take non-private steps.
   */
  @Override
  public io.perennial.privacy.PrivacyReport privacy() {
    return privacy;
  }

  void setPrivacy(io.perennial.privacy.PrivacyReport report) {
    this.privacy = report;
  }

  /** The users' sequences (newest last), for the trainer and tests. Do not modify. */
  int[] sequence(int user) {
    return user >= 0 && user < sequences.length && sequences[user] != null ? sequences[user] : new int[0];
  }

  // ---- scoring ----

  @Override
  public float score(int user, int item) {
    if (item < 0 || item >= itemCount) {
      return 0f;
    }
    if (!hasState(user)) {
      return item < popularity.length ? popularity[item] : 0f;
    }
    return VectorOps.dot(states, user * network.channels(), network.params().values(), network.itemRow(item),
        network.channels());
  }

  private boolean hasState(int user) {
    return user >= 0 && user < userCount && user < sequences.length && sequences[user] != null
        && sequences[user].length > 0;
  }

  @Override
  protected boolean needsVector() {
    return true;
  }

  @Override
  protected void scoreAll(UserQuery user, float[] out) {
    if (user.vector() == null) {
      System.arraycopy(popularity, 0, out, 0, itemCount);
      return;
    }
    // the item table is the first itemCount rows of the parameter array
    VectorOps.matVec(network.params().values(), itemCount, network.channels(), user.vector(), out);
  }

  @Override
  protected UserQuery queryFor(int user) {
    if (!hasState(user)) {
      return null;
    }
    int c = network.channels();
    return new UserQuery(history.items(user), history.values(user), Arrays.copyOfRange(states, user * c, (user + 1) * c), 0f);
  }

  /** Cosine similarity of the item embeddings. */
  @Override
  public Recommendations similarItems(int item, int k) {
    if (item < 0 || item >= itemCount) {
      return new Recommendations(new int[0], new float[0], false);
    }
    int c = network.channels();
    float[] p = network.params().values();
    float norm = VectorOps.norm(p, network.itemRow(item), c);
    float[] scores = new float[itemCount];
    for (int j = 0; j < itemCount; j++) {
      float other = VectorOps.norm(p, network.itemRow(j), c);
      float dot = VectorOps.dot(p, network.itemRow(item), p, network.itemRow(j), c);
      scores[j] = norm == 0 || other == 0 ? 0f : dot / (norm * other);
    }
    return select(scores, new int[] {item}, k, null, false);
  }

  /** Runs the network over {@code items} in the order given (the last {@code maxLength}); the query's items are sorted. */
  @Override
  public UserQuery foldInUser(int[] items, float[] values) {
    int[] known = Arrays.stream(items).filter(i -> i >= 0 && i < itemCount).toArray();
    int[] sorted = Arrays.stream(known).sorted().distinct().toArray();
    float[] vals = new float[sorted.length];
    for (int n = 0; n < items.length; n++) {
      int at = Arrays.binarySearch(sorted, items[n]);
      if (at >= 0) {
        vals[at] += values == null || n >= values.length ? 1f : values[n];
      }
    }
    if (known.length == 0) {
      return new UserQuery(sorted, vals, null, 0f);
    }
    float[] state = new float[network.channels()];
    stateOf(tail(known), state, 0);
    return new UserQuery(sorted, vals, state, 0f);
  }

  private int[] tail(int[] items) {
    int max = config.maxLength();
    return items.length <= max ? items : Arrays.copyOfRange(items, items.length - max, items.length);
  }

  /** The final state after {@code sequence} (at most maxLength items) into {@code out}. */
  private void stateOf(int[] sequence, float[] out, int outOffset) {
    SasrecNetwork.Workspace[] holder = oneSequence.get();
    if (holder == null || holder[0] == null || holder.length != 1 || !holder[0].belongsTo(network)) {
      holder = new SasrecNetwork.Workspace[] {network.workspace(1, false, 1)};
      oneSequence.set(holder);
    }
    SasrecNetwork.Workspace ws = holder[0];
    int len = sequence.length;
    System.arraycopy(sequence, 0, ws.ids, 0, len);
    ws.lengths[0] = len;
    network.forward(ws, 1, len, false, 0, 0);
    ws.lastState(0, out, outOffset);
  }

  /** Recomputes the cached states of every user with a sequence, on the config's threads. */
  @Override
  public io.perennial.nn.ParameterSet parameters() {
    return network.params();
  }

  @Override
  public java.util.Map<String, Integer> layoutSettings() {
    return java.util.Map.of("heads", network.heads());
  }

  @Override
  public java.util.List<String> itemTableNames() {
    return java.util.List.of(SasrecNetwork.ITEM_TABLE);
  }

  @Override
  public void parametersChanged() {
    refreshAllStates();
  }

  void refreshAllStates() {
    int[] users = new int[userCount];
    for (int u = 0; u < userCount; u++) {
      users[u] = u;
    }
    refreshStates(users);
  }

  /** Recomputes the states of {@code users}, batched by length so short sequences are not padded long. */
  void refreshStates(int[] users) {
    int c = network.channels();
    if (states.length < userCount * c) {
      states = Arrays.copyOf(states, Math.max(userCount * c, states.length * 3 / 2));
    }
    int[] order = Arrays.stream(users).filter(this::hasState).boxed()
        .sorted((a, b) -> Integer.compare(sequences[a].length, sequences[b].length))
        .mapToInt(Integer::intValue).toArray();
    if (order.length == 0) {
      return;
    }
    int chunks = (order.length + STATE_BATCH - 1) / STATE_BATCH;
    AtomicInteger next = new AtomicInteger();
    float[] into = states;
    boolean inline = chunks == 1 || config.threads() == 1;
    if (inline && (smallRefresh == null || smallRefresh.maxBatch() < Math.min(STATE_BATCH, order.length)
        || !smallRefresh.belongsTo(network))) {
      smallRefresh = network.workspace(Math.min(STATE_BATCH, order.length), false, 1);
    }
    Runnable worker = () -> {
      // writes run one at a time, so one kept workspace serves an inline refresh (an online event's)
      SasrecNetwork.Workspace ws = inline ? smallRefresh
          : network.workspace(Math.min(STATE_BATCH, order.length), false, 1);
      int chunk;
      while ((chunk = next.getAndIncrement()) < chunks) {
        int from = chunk * STATE_BATCH;
        int to = Math.min(order.length, from + STATE_BATCH);
        int time = sequences[order[to - 1]].length;
        for (int b = 0; b < to - from; b++) {
          int[] seq = sequences[order[from + b]];
          int pad = time - seq.length;
          Arrays.fill(ws.ids, b * time, b * time + pad, Embedding.PADDING);
          System.arraycopy(seq, 0, ws.ids, b * time + pad, seq.length);
          ws.lengths[b] = seq.length;
        }
        network.forward(ws, to - from, time, false, 0, 0);
        for (int b = 0; b < to - from; b++) {
          ws.lastState(b, into, order[from + b] * c);
        }
      }
    };
    Parallel.run(worker, inline ? 1 : Math.min(config.threads(), chunks));
  }

  // ---- retrieval ----

  @Override
  public int retrievalDims() {
    return network.channels();
  }

  @Override
  public float[] retrievalItemVectors() {
    return network.params().values();
  }

  @Override
  public float[] retrievalItemBias() {
    return null;
  }

  @Override
  public boolean retrievalQuery(int user, float[] out) {
    if (!hasState(user)) {
      return false;
    }
    System.arraycopy(states, user * network.channels(), out, 0, network.channels());
    return true;
  }

  // ---- sequences and updates ----

  /** Appends each user's events (in time order) to their sequence, keeping the last maxLength. */
  private int[] appendAll(InteractionLog events) {
    growUsers(events.userBound());
    UserSequences bySequence = UserSequences.of(events);
    List<Integer> changed = new ArrayList<>();
    for (int u = 0; u < bySequence.users(); u++) {
      if (bySequence.length(u) == 0) {
        continue;
      }
      int[] add = Arrays.stream(bySequence.items(u)).filter(i -> i >= 0 && i < itemCount).toArray();
      if (add.length == 0) {
        continue;
      }
      int[] old = sequence(u);
      int[] joined = Arrays.copyOf(old, old.length + add.length);
      System.arraycopy(add, 0, joined, old.length, add.length);
      sequences[u] = tail(joined);
      changed.add(u);
    }
    return changed.stream().mapToInt(Integer::intValue).toArray();
  }

  private void growUsers(int users) {
    if (users > userCount) {
      userCount = users;
    }
    if (sequences.length < userCount) {
      sequences = Arrays.copyOf(sequences, Math.max(userCount, sequences.length * 3 / 2));
    }
    history.ensureUsers(userCount);
    int c = network.channels();
    if (states.length < userCount * c) {
      states = Arrays.copyOf(states, Math.max(userCount * c, states.length * 3 / 2));
    }
  }

  private void growItems(int items) {
    if (items > network.items()) {
      network = network.withItems(Math.max(items, network.items() + network.items() / 2 + 16), config.activation(),
          config.dropout(), config.seed(), random);
      online = null;
    }
    if (items > itemCount) {
      itemCount = items;
      if (popularity.length < items) {
        popularity = Arrays.copyOf(popularity, items);
      }
    }
  }

  @Override
  public void observe(InteractionLog events) {
    growItems(Math.max(itemCount, 0));
    int[] changed = appendAll(events);
    for (int e = 0; e < events.size(); e++) {
      if (events.item(e) < itemCount) {
        history.add(events.user(e), events.item(e), events.value(e));
      }
    }
    refreshStates(changed);
  }

  /**
   * Appends the events to the sequences, then {@code partialFitEpochs} passes of gradient steps
   * over the windows of the updated users and of the replayed users (their stored sequences). With
   * an anchor, every parameter is pulled toward its pre-update value after each step; with
   * distillation, every step also matches the teacher's softmax over the step's sampled items
   * (the teacher is {@code update.teacher()} when it is a SASRec model, else the model before the
   * update). Every state is recomputed at the end.
   */
  @Override
  public void partialFit(Update update) {
    growItems(update.items());
    growUsers(update.users());
    InteractionLog events = update.events();
    int[] changed = appendAll(events);
    growHistory(events, userCount);
    growPopularity(events, itemCount);
    int[] replayed = Arrays.stream(distinctUsers(update.replay())).filter(u -> sequence(u).length > 1).toArray();
    List<SasrecSteps.Window> windows = new ArrayList<>();
    for (int u : changed) {
      if (sequence(u).length > 1) {
        windows.add(new SasrecSteps.Window(u, sequence(u), 0, sequence(u).length - 1));
      }
    }
    for (int u : replayed) {
      windows.add(new SasrecSteps.Window(u, sequence(u), 0, sequence(u).length - 1));
    }
    Stability stability = update.stability();
    float[] anchor = stability.anchor() > 0 ? network.params().values().clone() : null;
    // without a teacher given, the model as it was before this update teaches
    SasrecNetwork before = stability.distillation() > 0 && !(update.teacher() instanceof SasrecModel)
        ? network.withItems(network.items(), config.activation(), config.dropout(), config.seed(), random) : null;
    if (!windows.isEmpty() && config.partialFitEpochs() > 0) {
      int batch = Math.min(config.batchSize(), windows.size());
      try (SasrecSteps stepper = new SasrecSteps(network, config, batch, 0, history, itemCount)) {
        if (stability.distillation() > 0) {
          stepper.distilFrom(update.teacher() instanceof SasrecModel earlier ? earlier.network : before,
              stability.distillation());
        }
        for (int epoch = 0; epoch < config.partialFitEpochs(); epoch++) {
          shuffle(windows);
          for (int from = 0; from < windows.size(); from += batch) {
            int to = Math.min(windows.size(), from + batch);
            float lr = stepper.currentRate();
            stepper.step(windows, from, to, steps++);
            if (anchor != null) {
              pullToward(anchor, lr * stability.anchor());
            }
          }
        }
      }
    }
    refreshAllStates();
  }

  private static int[] distinctUsers(InteractionLog log) {
    int[] users = new int[log.size()];
    for (int e = 0; e < log.size(); e++) {
      users[e] = log.user(e);
    }
    return Arrays.stream(users).sorted().distinct().toArray();
  }

  /** θ −= min(1, pull) · (θ − θ₀) over the parameters that existed before the update. */
  private void pullToward(float[] anchor, float pull) {
    float k = Math.min(1f, pull);
    float[] values = network.params().values();
    int n = Math.min(anchor.length, values.length);
    for (int i = 0; i < n; i++) {
      values[i] -= k * (values[i] - anchor[i]);
    }
  }

  private void shuffle(List<SasrecSteps.Window> windows) {
    for (int i = windows.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      SasrecSteps.Window t = windows.get(i);
      windows.set(i, windows.get(j));
      windows.set(j, t);
    }
  }

  /**
   * Appends the event to the user's sequence, then {@code onlineSteps} gradient steps on the user's
   * latest window plus {@code onlineReplay} windows of other users, and recomputes their states.
   */
  @Override
  public void learnOnline(int user, int item, float value, long timestamp) {
    growItems(item + 1);
    growUsers(user + 1);
    recordEvent(user, item, value);
    int[] seq = sequence(user);
    int[] joined = Arrays.copyOf(seq, seq.length + 1);
    joined[seq.length] = item;
    sequences[user] = tail(joined);
    List<SasrecSteps.Window> windows = new ArrayList<>();
    int[] now = sequences[user];
    // the new event is the newest target; replayed users' newest items keep the old knowledge
    if (now.length > 1) {
      windows.add(new SasrecSteps.Window(user, now, 0, now.length - 1, true));
    }
    for (int r = 0; r < config.onlineReplay() && userCount > 1; r++) {
      int other = random.nextInt(userCount);
      if (other != user && sequence(other).length > 1) {
        windows.add(new SasrecSteps.Window(other, sequence(other), 0, sequence(other).length - 1, true));
      }
    }
    if (!windows.isEmpty() && config.onlineSteps() > 0) {
      if (online == null) {
        online = new SasrecSteps(network, config.forOnlineSteps(), 1 + config.onlineReplay(), 0, history, itemCount);
      }
      online.setItemCount(itemCount);
      for (int s = 0; s < config.onlineSteps(); s++) {
        online.step(windows, 0, windows.size(), steps++);
      }
    }
    int[] touched = windows.stream().mapToInt(SasrecSteps.Window::user).toArray();
    refreshStates(touched.length == 0 ? new int[] {user} : touched);
  }

  @Override
  public void evictUser(int user) {
    super.evictUser(user);
    if (user >= 0 && user < sequences.length) {
      sequences[user] = null;
    }
  }

  // ---- checkpoints ----

  @Override
  public ModelState state() {
    ModelState s = new ModelState(TYPE, new ObjectMapper().valueToTree(config));
    int c = network.channels();
    int[] start = new int[userCount + 1];
    for (int u = 0; u < userCount; u++) {
      start[u + 1] = start[u] + sequence(u).length;
    }
    int[] items = new int[start[userCount]];
    for (int u = 0; u < userCount; u++) {
      System.arraycopy(sequence(u), 0, items, start[u], sequence(u).length);
    }
    s.put("parameters", network.params().values().clone())
        .put("states", Arrays.copyOf(states, userCount * c))
        .put("popularity", Arrays.copyOf(popularity, itemCount))
        .put("shape", new int[] {userCount, itemCount, network.items(), c})
        .put("sequences.start", start)
        .put("sequences.items", items)
        .putLong("steps", steps);
    if (network.params().mask() != null) {
      s.put(io.perennial.model.DenseNetwork.PRUNE_MASK, network.params().mask().toWords());
    }
    history.saveTo(s, "history");
    if (privacy != null) {
      s.put("dp_report", privacy.toArray());
    }
    return s;
  }

  public static SasrecModel restore(ModelState s) {
    SasrecConfig config = new ObjectMapper().convertValue(s.config(), SasrecConfig.class);
    int[] shape = s.ints("shape");
    if (shape.length != 4 || shape[0] < 0 || shape[1] < 0 || shape[2] < shape[1] || shape[3] != config.factors()
        || config.maxLength() < 1) {
      throw new IllegalArgumentException("inconsistent sasrec model state: shape " + Arrays.toString(shape));
    }
    SasrecNetwork network = new SasrecNetwork(shape[2], config.factors(), config.blocks(), config.heads(),
        config.maxLength(), config.dropout(), config.activation(), config.seed());
    float[] values = s.floats("parameters");
    if (values.length != network.params().size()) {
      throw new IllegalArgumentException("inconsistent sasrec model state: " + values.length
          + " parameters, the config needs " + network.params().size());
    }
    System.arraycopy(values, 0, network.params().values(), 0, values.length);
    if (s.ints().containsKey(io.perennial.model.DenseNetwork.PRUNE_MASK)) {
      io.perennial.nn.PruneMask.fromWords(network.params(), s.ints(io.perennial.model.DenseNetwork.PRUNE_MASK));
    }
    int[] start = s.ints("sequences.start");
    int[] items = s.ints("sequences.items");
    if (start.length != shape[0] + 1 || start[shape[0]] != items.length) {
      throw new IllegalArgumentException("inconsistent sasrec model state: sequences");
    }
    int[][] sequences = new int[shape[0]][];
    for (int u = 0; u < shape[0]; u++) {
      sequences[u] = Arrays.copyOfRange(items, start[u], start[u + 1]);
    }
    float[] states = s.floats("states");
    if (states.length != shape[0] * shape[3]) {
      throw new IllegalArgumentException("inconsistent sasrec model state: states");
    }
    SasrecModel model = new SasrecModel(config, network, UserHistory.loadFrom(s, "history"), s.floats("popularity"),
        shape[0], shape[1], sequences, states.clone(), s.getLong("steps"));
    float[] report = s.floats().get("dp_report");
    if (report != null) {
      model.privacy = io.perennial.privacy.PrivacyReport.fromArray(report);
    }
    return model;
  }

  /** Bytes of the parameters and the cached states (what serving holds). */
  static long servingBytes(int users, int items, SasrecConfig config, int maxLength) {
    long c = config.factors();
    long perBlock = 2 * 2 * c + 3 * c * c + 3 * c + c * c + c + 2 * (c * c + c);
    long params = items * c + (long) maxLength * c + config.blocks() * perBlock + 2 * c;
    return 4 * (params + users * c);
  }
}
