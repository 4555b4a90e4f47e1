package io.perennial.continual;

import io.perennial.data.InteractionLog;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Recommender;
import io.perennial.model.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The update strategies, by name. */
public final class Strategies {

  /** Names accepted by {@link #create}, in report order. */
  public static final List<String> NAMES = List.of("static", "full", "incremental", "online", "hybrid", "gated");

  private Strategies() {}

  /**
   * A strategy by name; {@code gated} wraps {@code online}, and {@code gated-X} wraps strategy X.
   */
  public static UpdateStrategy create(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.startsWith("gated-")) {
      return new Gated(create(n.substring("gated-".length())));
    }
    return switch (n) {
      case "static" -> new Static();
      case "full" -> new FullRetrain();
      case "incremental" -> new Incremental();
      case "online" -> new Online();
      case "hybrid" -> new Hybrid();
      case "gated" -> new Gated(new Online());
      default -> throw new IllegalArgumentException(
          "unknown strategy '" + name + "' (expected one of " + NAMES + " or gated-<strategy>)");
    };
  }

  /** Train once, never update: the baseline. */
  public static final class Static extends UpdateStrategy {
    @Override
    public String name() {
      return "static";
    }

    @Override
    protected void learn(StreamEvent event) {}
  }

  /** Retrain from scratch every {@code updateEvery} events, on everything or a sliding window. */
  public static final class FullRetrain extends UpdateStrategy {
    private int since;
    private int interval;

    @Override
    protected void begin(StreamContext ctx, StrategyConfig cfg, Recommender model) {
      super.begin(ctx, cfg, model);
      interval = cfg.updateEvery();
    }

    @Override
    void adapt(boolean faster) {
      interval = faster ? Math.max(1, interval / 2) : interval * 2;
    }

    @Override
    public String name() {
      return "full";
    }

    @Override
    protected void learn(StreamEvent event) {
      if (++since >= interval) {
        since = 0;
        Recommender candidate = stats.timed(() -> context.trainFromScratch(config.window()));
        publish(candidate, "retrain");
      }
    }
  }

  /**
   * Every {@code fineTuneEvery} events, fine-tune a copy of the live model (warm start, the model's
   * {@code partialFitEpochs}) on the new events mixed with replayed past ones.
   */
  public static final class Incremental extends UpdateStrategy {
    private InteractionLog buffer = new InteractionLog();
    private ReplayBuffer replay;
    private int interval;
    /** The distillation teacher: a copy of an earlier live model, replaced every {@code teacherUpdates}. */
    private Recommender teacher;
    private int teacherAge;

    @Override
    void adapt(boolean faster) {
      interval = faster ? Math.max(1, interval / 2) : interval * 2;
    }

    /** The replay reservoir (for tests and reports). */
    public ReplayBuffer replay() {
      return replay;
    }

    @Override
    public String name() {
      return "incremental";
    }

    @Override
    protected void begin(StreamContext ctx, StrategyConfig cfg, Recommender model) {
      super.begin(ctx, cfg, model);
      interval = cfg.fineTuneEvery();
      replay = new ReplayBuffer(cfg.replayCapacity(), cfg.seed());
      replay.offerAll(ctx.seen());
    }

    @Override
    protected void learn(StreamEvent event) {
      buffer.add(event.user(), event.item(), event.value(), event.timestamp(), event.type());
      if (buffer.size() >= interval) {
        InteractionLog batch = buffer;
        buffer = new InteractionLog();
        Recommender candidate = stats.timed(() -> {
          InteractionLog past = new InteractionLog(Math.max(1, batch.size()));
          int replayed = (int) Math.round(config.replayRatio() * batch.size());
          if (config.difficultyReplay()) {
            Recommender scorer = live;
            int items = context.itemBound();
            long seed = config.seed();
            replay.sampleWeightedInto(past, replayed, (u, i) -> replayDifficulty(scorer, u, i, items, seed));
          } else {
            replay.sampleInto(past, replayed);
          }
          Recommender copy = Algorithms.copy(live);
          copy.partialFit(Update.of(batch, context.userBound(), context.itemBound())
              .withReplay(past).withStability(config.stability()).withTeacher(teacher()));
          return copy;
        });
        publish(candidate, "fine-tune");
        replay.offerAll(batch);
      }
    }

    /**
     * How hard a past event is for the live model now: its BPR loss on the event against 8 uniform
     * items (seeded by the event, so the same on every run).
     */
    static double replayDifficulty(Recommender model, int user, int item, int items, long seed) {
      if (items < 2) {
        return 1;
      }
      java.util.SplittableRandom rng = new java.util.SplittableRandom(seed ^ (((long) user << 32) | (item & 0xFFFFFFFFL)));
      double positive = model.score(user, item);
      double loss = 0;
      int counted = 0;
      for (int n = 0; n < 8; n++) {
        double x = positive - model.score(user, rng.nextInt(items));
        if (Double.isFinite(x)) {
          loss += Math.log1p(Math.exp(-x));
          counted++;
        }
      }
      return counted == 0 ? 0 : loss / counted;
    }

    /** The teacher for this update (null: the model before it), replaced by the live model when it has served its turn. */
    private Recommender teacher() {
      io.perennial.model.Stability stability = config.stability();
      if (stability.distillation() <= 0 || stability.teacherUpdates() == 1) {
        return null;
      }
      if (teacher == null || teacherAge >= stability.teacherUpdates()) {
        teacher = Algorithms.copy(live);
        teacherAge = 0;
      }
      teacherAge++;
      return teacher;
    }
  }

  /**
   * Learn every event as it arrives ({@link OnlineLearner}), with a divergence guard: rows the event
   * touched must stay finite and bounded, else the model returns to its last restore point.
   */
  public static class Online extends UpdateStrategy {
    private IdLifecycle lifecycle;

    @Override
    public String name() {
      return "online";
    }

    @Override
    protected void begin(StreamContext ctx, StrategyConfig cfg, Recommender model) {
      super.begin(ctx, cfg, model);
      if (!(live instanceof OnlineLearner)) {
        throw new IllegalArgumentException("model " + live.type() + " cannot learn online");
      }
      lifecycle = new IdLifecycle(cfg.admitAfter(), cfg.evictAfterSeconds());
      lifecycle.warmUp(ctx.seen());
    }

    @Override
    public boolean updatesInPlace() {
      return true;
    }

    @Override
    public boolean needsHistory() {
      return false;
    }

    /** Admission and eviction state (inactive unless configured). */
    public IdLifecycle lifecycle() {
      return lifecycle;
    }

    @Override
    public int[] tableSizes() {
      return lifecycle.active() ? new int[] {lifecycle.liveUsers(), lifecycle.liveItems()} : super.tableSizes();
    }

    @Override
    protected void learn(StreamEvent e) {
      stats.timedPerEvent(() -> {
        if (!lifecycle.active()) {
          learnGuarded(e);
          return;
        }
        int itemsBefore = live.itemCount();
        for (StreamEvent ready : lifecycle.admit(e)) {
          learnGuarded(ready);
          if (live instanceof io.perennial.model.AbstractRecommender ar) {
            ar.reviveItem(ready.item());
          }
        }
        if (live instanceof io.perennial.model.AbstractRecommender ar) {
          // rows allocated for items that are not admitted yet must not be recommended
          for (int i = itemsBefore; i < live.itemCount(); i++) {
            if (!lifecycle.itemAdmitted(i)) {
              ar.retireItem(i);
            }
          }
          lifecycle.sweep(e.timestamp(), ar);
        }
      });
    }

    /**
     * Learns the event; if the user's or item's row comes out non-finite or with a norm above
     * {@code maxNorm}, puts both rows back as they were and logs the rejection.
     */
    void learnGuarded(StreamEvent e) {
      FactorModel.RowSnapshot before = live instanceof FactorModel fm ? fm.snapshotRows(e.user(), e.item()) : null;
      ((OnlineLearner) live).learnOnline(e.user(), e.item(), e.value(), e.timestamp());
      if (live instanceof FactorModel fm && !fm.rowsHealthy(e.user(), e.item(), config.maxNorm())) {
        fm.restoreRows(before);
        stats.rejected(String.format(Locale.ROOT,
            "%s: the update for the event at offset %d made user %d / item %d diverge; their rows were restored",
            name(), e.offset(), e.user(), e.item()));
        return;
      }
      stats.accepted();
    }
  }

  /**
   * Online learning between periodic full retrains. A retrain uses the events up to its start; the
   * {@code retrainLatency} events that arrive while it runs are replayed onto it before it replaces
   * the running model.
   */
  public static final class Hybrid extends Online {
    private int since;
    private Recommender pending;
    private final List<StreamEvent> arrivedDuringRetrain = new ArrayList<>();

    @Override
    public String name() {
      return "hybrid";
    }

    @Override
    public boolean needsHistory() {
      return true;
    }

    @Override
    protected void learn(StreamEvent e) {
      // the per-event step is sampled like online's; a retrain and its go-live are timed in full
      stats.timedPerEvent(() -> learnGuarded(e));
      if (pending != null) {
        arrivedDuringRetrain.add(e);
        if (arrivedDuringRetrain.size() >= config.retrainLatency()) {
          stats.timed(this::goLive);
        }
      } else if (++since >= config.retrainEvery()) {
        since = 0;
        stats.timed(() -> {
          pending = context.trainFromScratch(0);
          arrivedDuringRetrain.clear();
          if (config.retrainLatency() == 0) {
            goLive();
          }
        });
      }
    }

    private void goLive() {
      Recommender candidate = pending;
      pending = null;
      for (StreamEvent e : arrivedDuringRetrain) {
        ((OnlineLearner) candidate).learnOnline(e.user(), e.item(), e.value(), e.timestamp());
      }
      arrivedDuringRetrain.clear();
      publish(candidate, "retrain");
    }
  }
}
