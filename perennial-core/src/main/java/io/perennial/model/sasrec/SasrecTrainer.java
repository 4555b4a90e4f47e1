package io.perennial.model.sasrec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.data.UserSequences;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.EpochLoop;
import io.perennial.model.MemoryBudget;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;
import io.perennial.model.curriculum.Curriculum;
import io.perennial.model.curriculum.DifficultyScorer;
import io.perennial.model.transfer.DeepWarmStart;
import io.perennial.model.transfer.FineTune;
import io.perennial.model.transfer.SourceModel;
import io.perennial.model.transfer.WarmStart;
import io.perennial.model.transfer.WarmStartable;
import io.perennial.nn.Embedding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains SASRec on each user's sequence (timestamp, then file order): every position of every
 * window predicts the next item. A history longer than {@code maxLength} gives several windows,
 * the newest ending at the last training item and each earlier one ending where the next begins,
 * so every interaction is a target once per epoch. Batches are bucketed by length (a batch's T is
 * its longest window), with Adam, warm-up and early stopping through {@link TrainingOptions}.
 * With a {@code dp} config, DP-SGD per user instead ({@link DpSasrecTraining}).
 *
 * <p>Issue 16's recipes: with {@code augment}, CL4SRec's contrastive loss over two augmented views
 * of every window ({@code SasrecSteps.contrastWith}) and, with {@code augmentExtra}, an augmented
 * copy of every window each epoch trained with the next-item loss; with {@code progressive}, fewer
 * blocks first, deepened by near-identity blocks at the configured epochs ({@link SasrecDeepening}).
 * With {@code curriculum}, each epoch trains on the pacing's share of the windows, easiest first
 * (hardest first for the anti-curriculum), the share shuffled and bucketed as usual ({@link
 * #windowCurriculum} says what makes a window hard). All of these apply to this training, not to
 * later fine-tunes or online steps.
 */
public final class SasrecTrainer implements Trainer, WarmStartable {

  /** Windows shuffled together before they are sorted by length and cut into batches. */
  private static final int BUCKET_BATCHES = 32;
  /** Training positions the adaptive epoch count aims at in all (see {@link #epochsFor}). */
  static final long POSITION_BUDGET = 5_000_000;

  private final SasrecConfig config;

  public SasrecTrainer(SasrecConfig config) {
    this.config = config;
  }

  @Override
  public String type() {
    return SasrecModel.TYPE;
  }

  @Override
  public JsonNode configJson() {
    return new ObjectMapper().valueToTree(config);
  }

  public SasrecConfig config() {
    return config;
  }

  @Override
  public long estimatedBytes(int users, int items, long interactions) {
    int length = config.maxLength() == 0 ? 200 : config.maxLength();
    long c = config.factors();
    // parameters ×4 (values, gradients, Adam's two moments), per-thread activations, states
    long tables = MemoryBudget.times(4, SasrecModel.servingBytes(0, items, config, length));
    long positions = MemoryBudget.times(config.batchSize(), length);
    long activations = MemoryBudget.times(MemoryBudget.times(positions, c), 4L * (8 + 16L * config.blocks()));
    long softmax = MemoryBudget.times(positions, 4L * config.negatives());
    return MemoryBudget.plus(tables, activations, softmax, MemoryBudget.times(users, 4 * c));
  }

  /**
   * The adaptive max length: the smallest of 50, 100 and 200 that holds three quarters of the
   * users' sequences whole (200 when none does).
   */
  static int maxLengthFor(UserSequences sequences) {
    int[] lengths = new int[sequences.users()];
    for (int u = 0; u < lengths.length; u++) {
      lengths[u] = sequences.length(u);
    }
    Arrays.sort(lengths);
    int p75 = lengths.length == 0 ? 0 : lengths[(int) Math.min(lengths.length - 1, Math.floor(0.75 * lengths.length))];
    for (int length : new int[] {50, 100, 200}) {
      if (p75 <= length) {
        return length;
      }
    }
    return 200;
  }

  /**
   * The adaptive epoch count: {@link #POSITION_BUDGET} training positions in all, between 10 and
   * 100 epochs, so a small data set gets many passes and a large one few (50 on ml-latest-small,
   * where 50 beat 40 and 80 overfitted at dropout 0.2).
   */
  static int epochsFor(long positions) {
    if (positions <= 0) {
      return 1;
    }
    return (int) Math.max(10, Math.min(100, POSITION_BUDGET / positions));
  }

  @Override
  public SasrecModel fit(Dataset train, TrainingOptions options) {
    return fit(train, options, null, 0f, null);
  }

  /**
   * Trains starting from {@code start} ({@link DeepWarmStart}): the item embedding seeded by the
   * match, and from a SASRec source every layer copied; fine-tuned by learning-rate scales.
   */
  @Override
  public SasrecModel fit(Dataset train, TrainingOptions options, WarmStart start) {
    return fit(train, options, null, 0f, start);
  }

  /** Every fine-tune but the prior. */
  @Override
  public boolean supports(FineTune.Mode mode) {
    return mode != FineTune.Mode.PRIOR;
  }

  @Override
  public void checkSource(SourceModel source, FineTune fineTune, boolean matchUsers) {
    if (matchUsers) {
      throw new IllegalArgumentException("SASRec has no user vectors to start from a source user (its users are "
          + "their sequences): leave --user-key at none");
    }
    checkWarmConfig();
    int length = config.maxLength() > 0 ? config.maxLength() : sourceLength(source.parameters().get(SasrecNetwork.POSITIONS));
    SasrecNetwork probe = new SasrecNetwork(1, config.factors(), config.blocks(), config.heads(), length,
        config.dropout(), config.activation(), config.seed());
    DeepWarmStart.check(type(), source, probe.params(), List.of(SasrecNetwork.ITEM_TABLE),
        source.deep() ? "leave factors, blocks, heads and maxLength out of --config to take the source's"
            : "set factors in --config");
    Integer heads = source.layout().get("heads");
    if (source.deep() && heads != null && heads != config.heads()) {
      throw new IllegalArgumentException("attention heads: the pretrained sasrec model has " + heads + ", this config "
          + config.heads() + " (the copied attention layers split into the source's heads: leave heads out of --config)");
    }
    if (fineTune.mode() == FineTune.Mode.FREEZE_LAYERS) {
      DeepWarmStart.layers(type(), probe.params(), SasrecNetwork.layerGroups(probe.params()), fineTune.frozenLayers());
    }
  }

  private void checkWarmConfig() {
    if (config.dp() != null || config.progressive() != null) {
      throw new IllegalArgumentException("a warm-started SASRec trains without " + (config.dp() != null ? "dp" : "progressive")
          + " in its config (the pretrained layers are copied as they are)");
    }
  }

  /** A SASRec source's max length (its positional rows); 50 (any) from a factor source, which has none. */
  private static int sourceLength(SourceModel.Parameter positions) {
    return positions == null ? 50 : positions.rows();
  }

  /**
   * Trains a student of {@code teacher} (a SASRec model trained on the same data, usually wider):
   * every step adds {@code weight} times the KL divergence from the teacher's softmax over the
   * step's sampled items to this model's, at every target position, to the data's loss ({@link
   * SasrecNetwork#distillationLoss}, the term forgetting protection uses). The student reads at most
   * the teacher's max length (its adaptive length resolves to the teacher's).
   *
   * @throws IllegalArgumentException if the student's max length exceeds the teacher's, or with DP-SGD
   */
  public SasrecModel fitStudent(Dataset train, TrainingOptions options, SasrecModel teacher, float weight) {
    if (!(weight > 0)) {
      throw new IllegalArgumentException("distillation weight must be > 0, got " + weight);
    }
    return fit(train, options, teacher, weight, null);
  }

  private SasrecModel fit(Dataset train, TrainingOptions options, SasrecModel teacher, float weight, WarmStart warmStart) {
    if (warmStart != null) {
      checkWarmConfig();
    }
    MemoryBudget.check(this, train);
    UserSequences sequences = UserSequences.of(train.log());
    int users = train.userCount();
    int items = Math.max(1, train.itemCount());
    int teacherLength = teacher == null ? 0 : teacher.network().maxLength();
    // a warm start from a SASRec network reads its max length (the positional rows are copied)
    SourceModel.Parameter sourcePositions = warmStart == null ? null : warmStart.dense().get(SasrecNetwork.POSITIONS);
    SasrecConfig resolved = config.maxLength() > 0 ? config
        : config.withMaxLength(teacher != null ? teacherLength
            : sourcePositions != null ? sourcePositions.rows() : maxLengthFor(sequences));
    if (teacher != null && (resolved.maxLength() > teacherLength || resolved.dp() != null)) {
      throw new IllegalArgumentException("a distilled SASRec student needs maxLength <= the teacher's ("
          + teacherLength + ", got " + resolved.maxLength() + ") and no dp config");
    }
    int length = resolved.maxLength();
    int[][] userItems = new int[users][];
    List<SasrecSteps.Window> windows = new ArrayList<>();
    long positions = 0;
    for (int u = 0; u < users; u++) {
      int[] seq = sequences.items(u);
      userItems[u] = seq.length <= length ? seq : Arrays.copyOfRange(seq, seq.length - length, seq.length);
      for (int end = seq.length - 1; end >= 1; end -= length) {
        int start = Math.max(0, end - length);
        windows.add(new SasrecSteps.Window(u, seq, start, end));
        positions += end - start;
      }
    }
    if (resolved.epochs() == 0) {
      resolved = resolved.withEpochs(epochsFor(positions));
    }
    SasrecConfig cfg = resolved;
    SasrecDeepening deepening = cfg.progressive();
    SasrecNetwork first = new SasrecNetwork(items, cfg.factors(),
        deepening == null ? cfg.blocks() : deepening.initialBlocks(), cfg.heads(), length, cfg.dropout(),
        cfg.activation(), cfg.seed());
    DeepWarmStart warm = warmStart == null ? null : new DeepWarmStart(type(), warmStart, first.params(),
        List.of(SasrecNetwork.ITEM_TABLE), train.itemCount(), SasrecNetwork.layerGroups(first.params()));
    UserHistory history = UserHistory.of(train.byUser());
    float[] popularity = AbstractRecommender.countItems(train.log(), items);
    SasrecModel model = new SasrecModel(cfg, first, history, popularity, users, items, userItems,
        new float[users * cfg.factors()], 0);
    if (cfg.dp() != null) {
      model.setPrivacy(DpSasrecTraining.train(model, cfg, windows, positions, history, items, options));
      model.refreshAllStates();
      return model;
    }
    Curriculum curriculum = cfg.curriculum() == null ? null : windowCurriculum(cfg, windows, popularity);
    // the curriculum's examples are indices into this fixed order (the epochs reorder the windows list)
    List<SasrecSteps.Window> fixedWindows = curriculum == null ? null : List.copyOf(windows);
    double[] teacherDifficulty = null;
    if (curriculum != null && curriculum.scorer() == DifficultyScorer.TEACHER) {
      // the teacher: this very model trained without the curriculum first, scored once
      SasrecModel plain = new SasrecTrainer(cfg.withoutCurriculum()).fit(train, TrainingOptions.silent());
      teacherDifficulty = WindowDifficulty.of(plain.network(), fixedWindows, items,
          SasrecSteps.mix(cfg.seed(), TEACHER_SALT), false);
    }
    double[] teacherScores = teacherDifficulty;
    SplittableRandom random = new SplittableRandom(SasrecSteps.mix(cfg.seed(), 0x7EA1));
    long[] step = {0};
    int batch = Math.max(1, Math.min(cfg.batchSize(), windows.size()));
    boolean validating = options.validator() != null;
    boolean extra = cfg.extraSequences();
    // mask positions read as empty ones: no extra embedding row, so checkpoints keep their layout
    SequenceAugmentation augmentation = cfg.augment().isEmpty() ? null
        : new SequenceAugmentation(cfg.cropRatio(), cfg.maskRatio(), cfg.reorderRatio(), Embedding.PADDING);
    List<SequenceAugmentation.Operator> operators = cfg.augmentOperators();
    // a warm-up longer than a tenth of the run would spend a small data set's training warming up
    long perEpoch = (long) (extra ? 2 : 1) * windows.size();
    long totalSteps = (long) cfg.epochs() * ((perEpoch + batch - 1) / batch);
    int warmup = (int) Math.min(cfg.warmupSteps(), totalSteps / 10);
    Stage stage = new Stage();
    stage.network = first;
    stage.stepper = stepper(first, cfg, batch, warmup, history, items, augmentation, operators);
    if (teacher != null) {
      stage.stepper.distilFrom(teacher.network(), weight);
    }
    try {
      EpochLoop.run(type(), model, cfg.epochs(), extra ? 2 * positions : positions, options,
          epoch -> {
            if (warm != null) {
              warm.applyScales(stage.stepper.optimizer(), epoch);
            }
            int blocks = deepening == null ? cfg.blocks() : deepening.blocksAt(epoch, cfg.blocks());
            if (blocks > stage.network.blocks()) {
              stage.network = SasrecDeepening.deepen(stage.network, blocks, deepening.newScale(), cfg.activation(),
                  cfg.dropout(), SasrecSteps.mix(cfg.seed(), 0xDEE9 + blocks));
              stage.stepper.close();
              // a fresh Adam (its moments belong to the old parameter layout), warmed up again
              stage.stepper = stepper(stage.network, cfg, batch, warmup, history, items, augmentation, operators);
              if (teacher != null) {
                stage.stepper.distilFrom(teacher.network(), weight);
              }
              model.replaceNetwork(stage.network);
            }
            List<SasrecSteps.Window> base = curriculum == null ? windows
                : pacedWindows(curriculum, fixedWindows, epoch, stage.network, items, cfg.seed(), teacherScores);
            List<SasrecSteps.Window> epochWindows = base;
            if (extra) {
              epochWindows = new ArrayList<>(base);
              SplittableRandom copies = new SplittableRandom(SasrecSteps.mix(cfg.seed() ^ 0xA06E, epoch));
              for (SasrecSteps.Window w : base) {
                // the window's inputs and its newest target, augmented, then trained as a sequence of its own
                int[] source = Arrays.copyOfRange(w.items(), w.start(), Math.min(w.items().length, w.end() + 1));
                int[] view = augmentation.randomView(operators, source, copies);
                if (view.length >= 2) {
                  epochWindows.add(new SasrecSteps.Window(w.user(), view, 0, view.length - 1));
                }
              }
            }
            double loss = epoch(stage.stepper, epochWindows, batches(epochWindows, batch, random), step);
            if (validating) {
              model.refreshAllStates();
            }
            return loss;
          },
          () -> new Snapshot(stage.network.blocks(), stage.network.params().values().clone()),
          snapshot -> {
            SasrecNetwork restored = stage.network;
            if (snapshot.blocks() != restored.blocks()) {
              // the best epoch was shallower: its network, deepened to the final count as a deepening would
              SasrecNetwork shallow = new SasrecNetwork(items, cfg.factors(), snapshot.blocks(), cfg.heads(), length,
                  cfg.dropout(), cfg.activation(), cfg.seed());
              System.arraycopy(snapshot.values(), 0, shallow.params().values(), 0, snapshot.values().length);
              restored = SasrecDeepening.deepen(shallow, cfg.blocks(), deepening.newScale(), cfg.activation(),
                  cfg.dropout(), SasrecSteps.mix(cfg.seed(), 0xDEE9 + cfg.blocks()));
              stage.network = restored;
              model.replaceNetwork(restored);
            } else {
              System.arraycopy(snapshot.values(), 0, restored.params().values(), 0, snapshot.values().length);
            }
          });
    } finally {
      stage.stepper.close();
    }
    if (stage.network.blocks() != cfg.blocks()) {
      // stages that end before the last epoch never reached (an early stop in a shallow stage)
      stage.network = SasrecDeepening.deepen(stage.network, cfg.blocks(), deepening.newScale(), cfg.activation(),
          cfg.dropout(), SasrecSteps.mix(cfg.seed(), 0xDEE9 + cfg.blocks()));
      model.replaceNetwork(stage.network);
    }
    model.refreshAllStates();
    return model;
  }

  /** Salt of the negatives a teacher curriculum's windows are scored against. */
  private static final long TEACHER_SALT = 0x7EAC4E2L;
  /** Salt of the negatives the self-paced curriculum re-scores the windows against each epoch. */
  private static final long SELF_PACED_SALT = 0x5E1FBACEDL;

  /**
   * The curriculum over the training windows. A window's difficulty under the count-based scorers:
   * {@code popularity}, minus the mean of {@code ln(1 + count)} over its targets' training counts
   * (a window of rare items is hard; the logarithm keeps one blockbuster from making a window of
   * rare items easy); {@code activity}, minus the user's sequence length (the windows of active
   * users are easy, as the other models' activity scorer has it; ties among one user's windows are
   * broken by the seed). {@code self-paced} is the current network's sampled-softmax loss on the
   * window, re-scored before each epoch that does not train on every window; {@code teacher}, minus
   * the margin of a plain SASRec (this config without the curriculum, trained first) ({@link
   * WindowDifficulty}).
   */
  static Curriculum windowCurriculum(SasrecConfig cfg, List<SasrecSteps.Window> windows, float[] popularity) {
    int n = windows.size();
    DifficultyScorer scorer = cfg.curriculum().difficultyScorer();
    double[] difficulty = null;
    if (!scorer.readsModel()) {
      difficulty = new double[n];
      for (int e = 0; e < n; e++) {
        SasrecSteps.Window w = windows.get(e);
        if (scorer == DifficultyScorer.ACTIVITY) {
          difficulty[e] = -w.items().length;
        } else {
          double sum = 0;
          int targets = 0;
          for (int at = w.start() + 1; at <= w.end() && at < w.items().length; at++) {
            int item = w.items()[at];
            sum += Math.log1p(item < popularity.length ? popularity[item] : 0);
            targets++;
          }
          difficulty[e] = targets == 0 ? 0 : -sum / targets;
        }
      }
    }
    return Curriculum.overExamples(cfg.curriculum(), n, difficulty, cfg.seed());
  }

  /**
   * The windows epoch {@code epoch} trains on (a new list, reordered by the batching): every window
   * once the pacing admits all of them (without scoring them: the batches are shuffled anyway), else
   * the curriculum's easiest share.
   */
  private static List<SasrecSteps.Window> pacedWindows(Curriculum curriculum, List<SasrecSteps.Window> windows,
      int epoch, SasrecNetwork network, int items, long seed, double[] teacherDifficulty) {
    if (curriculum.count(epoch) >= windows.size()) {
      return new ArrayList<>(windows);
    }
    double[] difficulty = teacherDifficulty;
    if (curriculum.scorer() == DifficultyScorer.SELF_PACED) {
      difficulty = WindowDifficulty.of(network, windows, items, SasrecSteps.mix(seed ^ SELF_PACED_SALT, epoch), true);
    }
    double[] d = difficulty;
    int[] chosen = curriculum.examples(epoch, d == null ? null : e -> d[e]);
    List<SasrecSteps.Window> out = new ArrayList<>(chosen.length);
    for (int e : chosen) {
      out.add(windows.get(e));
    }
    return out;
  }

  /** The network being trained and its stepper, replaced when a deepening stage begins. */
  private static final class Stage {
    SasrecNetwork network;
    SasrecSteps stepper;
  }

  /** The parameters early stopping keeps, with the block count they had. */
  private record Snapshot(int blocks, float[] values) {}

  private static SasrecSteps stepper(SasrecNetwork network, SasrecConfig cfg, int batch, int warmup,
      UserHistory history, int items, SequenceAugmentation augmentation,
      List<SequenceAugmentation.Operator> operators) {
    SasrecSteps stepper = new SasrecSteps(network, cfg, batch, warmup, history, items);
    if (cfg.contrastive()) {
      stepper.contrastWith(augmentation, operators, cfg.contrastiveWeight(), cfg.contrastiveTemperature());
    }
    return stepper;
  }

  private static double epoch(SasrecSteps stepper, List<SasrecSteps.Window> windows, List<int[]> batches,
      long[] step) {
    double sum = 0;
    for (int[] range : batches) {
      sum += stepper.step(windows, range[0], range[1], step[0]++);
    }
    return batches.isEmpty() ? 0 : sum / batches.size();
  }

  /**
   * This epoch's batches: the windows shuffled, sorted by length within groups of {@link
   * #BUCKET_BATCHES} batches (so a batch holds windows of similar length), cut, and the batches
   * shuffled. Returns [from, to) ranges into the reordered {@code windows}.
   */
  private static List<int[]> batches(List<SasrecSteps.Window> windows, int batch, SplittableRandom random) {
    for (int i = windows.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      SasrecSteps.Window t = windows.get(i);
      windows.set(i, windows.get(j));
      windows.set(j, t);
    }
    int group = batch * BUCKET_BATCHES;
    for (int from = 0; from < windows.size(); from += group) {
      windows.subList(from, Math.min(windows.size(), from + group))
          .sort(Comparator.comparingInt(SasrecSteps.Window::length));
    }
    List<int[]> ranges = new ArrayList<>();
    for (int from = 0; from < windows.size(); from += batch) {
      ranges.add(new int[] {from, Math.min(windows.size(), from + batch)});
    }
    for (int i = ranges.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int[] t = ranges.get(i);
      ranges.set(i, ranges.get(j));
      ranges.set(j, t);
    }
    return ranges;
  }
}
