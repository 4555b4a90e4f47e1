package io.perennial.continual;

import io.perennial.model.ModelHealth;
import io.perennial.model.Recommender;
import java.util.Locale;

/**
 * One way of keeping a model fresh. Call order: {@link #start} with the warm-up events already
 * recorded in the context → for each later event, {@link #onEvent} after the context recorded it →
 * {@link #live()} whenever a recommendation is needed.
 */
public abstract class UpdateStrategy {

  protected StreamContext context;
  protected StrategyConfig config;
  protected Recommender live;
  protected final UpdateStats stats = new UpdateStats();
  private long lastOffset = -1;

  /** Name used in reports and on the command line. */
  public abstract String name();

  /** Trains the first model on everything recorded so far (the warm-up). */
  public void start(StreamContext ctx, StrategyConfig cfg) {
    begin(ctx, cfg, stats.timedInitial(() -> ctx.trainFromScratch(0)));
  }

  /**
   * Continues from an existing model instead of training one — what a server does after a restart
   * or a rollback: {@code model} has learned every event up to {@code lastLearnedOffset}, and the
   * context holds whatever history the strategy retrains from.
   */
  public void resume(StreamContext ctx, StrategyConfig cfg, Recommender model, long lastLearnedOffset) {
    this.lastOffset = lastLearnedOffset;
    begin(ctx, cfg, model);
  }

  /** Sets up the strategy around its first live model; subclasses add their own state. */
  protected void begin(StreamContext ctx, StrategyConfig cfg, Recommender model) {
    this.context = ctx;
    this.config = cfg;
    this.live = model;
  }

  /**
   * True when {@link #onEvent} changes the live model in place (per-event learning), so a server
   * must keep readers out while it runs; false when updates build a new model and swap it in.
   */
  public boolean updatesInPlace() {
    return false;
  }

  /**
   * True when the strategy retrains or replays from the context's recorded history, so every event
   * must be recorded there; per-event learners need only the model.
   */
  public boolean needsHistory() {
    return true;
  }

  /** Learns from one event; the strategy decides whether and when that changes the live model. */
  public final void onEvent(StreamEvent event) {
    if (event.offset() <= lastOffset) {
      throw new IllegalStateException("event offset " + event.offset() + " already learned (last " + lastOffset + ")");
    }
    learn(event);
    lastOffset = event.offset();
  }

  protected abstract void learn(StreamEvent event);

  /** The model serving now. */
  public Recommender live() {
    return live;
  }

  /** Users and items the live model holds: its table rows, or the live ids under admission/eviction. */
  public int[] tableSizes() {
    return new int[] {live.userCount(), live.itemCount()};
  }

  /** Offset of the last event learned (-1 before the first), for exact resume after a restart. */
  public long lastOffset() {
    return lastOffset;
  }

  public UpdateStats stats() {
    return stats;
  }

  /**
   * Asked by the gate to update more often ({@code faster}) after a run of good updates, or less
   * often after failures. Strategies with an update interval halve or double it; per-event ones
   * ignore it.
   */
  void adapt(boolean faster) {}

  /** Replaces the model the strategy learns on (the gate's rollback). */
  void replaceLive(Recommender model) {
    live = model;
  }

  /**
   * Puts {@code candidate} live unless the divergence guard ({@link ModelHealth}) finds non-finite
   * or exploding parameters; then the live model is kept and the rejection logged with the reason.
   */
  protected boolean publish(Recommender candidate, String what) {
    ModelHealth.Verdict verdict = ModelHealth.check(candidate, config.maxNorm());
    if (!verdict.healthy()) {
      stats.rejected(String.format(Locale.ROOT, "%s: %s rejected by the divergence guard: %s",
          name(), what, verdict.reason()));
      return false;
    }
    live = candidate;
    stats.accepted();
    return true;
  }

  static boolean healthy(Recommender model, float maxNorm) {
    return ModelHealth.check(model, maxNorm).healthy();
  }
}
