package io.perennial.continual;

import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.UserHistory;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validation gate around any strategy. The inner strategy keeps learning and serving; the gate
 * keeps the last accepted model beside it. Each incoming event is first scored by both (HR@K on
 * the user's next item, before either learns it); at the end of a window of {@code gateWindow}
 * events the updates of that window are accepted if the learning model's HR@K is no worse than
 * the accepted model's by more than {@code gateTolerance} — the learning model then becomes the
 * accepted one — or rejected: the inner strategy is rolled back to the accepted model and the
 * rejection logged with both figures. The divergence guard is checked at the same point.
 *
 * <p>It adapts: three accepted windows in a row ask the inner strategy to update more often and
 * shorten the window; two rejections in a row ask it to update less often and lengthen the window.
 */
public final class Gated extends UpdateStrategy {

  private static final Logger LOG = LoggerFactory.getLogger(Gated.class);
  private static final int K = 10;

  private final UpdateStrategy inner;
  private final UserHistory seen = new UserHistory(16);
  private Recommender accepted;
  private int window;
  private int inWindow;
  private int scored;
  private int learningHits;
  private int acceptedHits;
  private int acceptedInRow;
  private int rejectedInRow;

  public Gated(UpdateStrategy inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return "gated";
  }

  public UpdateStrategy inner() {
    return inner;
  }

  /** Current window length in events. */
  public int window() {
    return window;
  }

  @Override
  public void start(StreamContext ctx, StrategyConfig cfg) {
    inner.start(ctx, cfg);
    afterInnerBegan(ctx, cfg);
  }

  @Override
  public void resume(StreamContext ctx, StrategyConfig cfg, Recommender model, long lastLearnedOffset) {
    super.resume(ctx, cfg, model, lastLearnedOffset);
    inner.resume(ctx, cfg, model, lastLearnedOffset);
    afterInnerBegan(ctx, cfg);
  }

  @Override
  public boolean updatesInPlace() {
    return inner.updatesInPlace();
  }

  private void afterInnerBegan(StreamContext ctx, StrategyConfig cfg) {
    this.context = ctx;
    this.config = cfg;
    accepted = stats.timed(() -> Algorithms.copy(inner.live()));
    window = cfg.gateWindow();
    var warm = ctx.seen();
    for (int e = 0; e < warm.size(); e++) {
      seen.add(warm.user(e), warm.item(e), 1f);
    }
  }

  @Override
  public Recommender live() {
    return inner.live();
  }

  @Override
  public int[] tableSizes() {
    return inner.tableSizes();
  }

  @Override
  protected void learn(StreamEvent e) {
    int[] before = seen.items(e.user());
    if (before.length > 0) {
      stats.timed(() -> {
        scored++;
        learningHits += hit(inner.live(), e, before) ? 1 : 0;
        acceptedHits += hit(accepted, e, before) ? 1 : 0;
      });
    }
    seen.add(e.user(), e.item(), 1f);
    double innerCpu = inner.stats().cpuSeconds();
    double innerWall = inner.stats().wallSeconds();
    inner.onEvent(e);
    stats.addExternal(inner.stats().cpuSeconds() - innerCpu, inner.stats().wallSeconds() - innerWall);
    if (++inWindow >= window) {
      stats.timed(this::decide);
    }
  }

  private static boolean hit(Recommender model, StreamEvent e, int[] before) {
    int[] ids = model.recommend(e.user(), K, false, i -> Arrays.binarySearch(before, i) < 0).ids();
    for (int id : ids) {
      if (id == e.item()) {
        return true;
      }
    }
    return false;
  }

  private void decide() {
    double learningHr = scored == 0 ? 0 : (double) learningHits / scored;
    double acceptedHr = scored == 0 ? 0 : (double) acceptedHits / scored;
    boolean healthy = healthy(inner.live(), config.maxNorm());
    if (healthy && learningHr >= acceptedHr - config.gateTolerance()) {
      accepted = Algorithms.copy(inner.live());
      stats.accepted();
      acceptedInRow++;
      rejectedInRow = 0;
      if (acceptedInRow >= 3) {
        inner.adapt(true);
        window = Math.max(Math.max(50, config.gateWindow() / 4), window / 2);
        acceptedInRow = 0;
      }
    } else {
      String reason = String.format(Locale.ROOT,
          "gated(%s): %d events rejected: HR@%d of the learning model %.4f vs accepted model %.4f on %d scored events (tolerance %.4f)%s",
          inner.name(), inWindow, K, learningHr, acceptedHr, scored, config.gateTolerance(),
          healthy ? "" : "; the divergence guard also failed");
      LOG.info(reason);
      stats.rejected(reason);
      inner.replaceLive(Algorithms.copy(accepted));
      rejectedInRow++;
      acceptedInRow = 0;
      if (rejectedInRow >= 2) {
        inner.adapt(false);
        window = Math.min(config.gateWindow() * 4, window * 2);
        rejectedInRow = 0;
      }
    }
    inWindow = 0;
    scored = 0;
    learningHits = 0;
    acceptedHits = 0;
  }
}
