package io.perennial.continual;

import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.UserHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validation gate around any strategy. The inner strategy learns as usual on its own model; every
 * {@code gateCheckEvery} events a snapshot of it becomes a candidate and is scored, with the
 * published model, on the next {@code gateHoldout} events (which neither has learned). The
 * candidate goes live only if its HR@K is no worse than the published model's by more than {@code
 * gateTolerance}; otherwise it is rejected, the published model kept, the inner strategy rolled back
 * to it, and the rejection logged with both figures.
 *
 * <p>It adapts: three accepted candidates in a row halve the check interval (fresher models), two
 * rejections in a row double it.
 */
public final class Gated extends UpdateStrategy {

  private static final Logger LOG = LoggerFactory.getLogger(Gated.class);
  private static final int K = 10;

  private final UpdateStrategy inner;
  private final UserHistory seen = new UserHistory(16);
  private Recommender candidate;
  private final List<int[]> holdout = new ArrayList<>();
  private final List<int[]> holdoutSeen = new ArrayList<>();
  private int since;
  private int interval;
  private int acceptedInRow;
  private int rejectedInRow;

  public Gated(UpdateStrategy inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return "gated";
  }

  public int checkInterval() {
    return interval;
  }

  @Override
  public void start(StreamContext ctx, StrategyConfig cfg) {
    this.context = ctx;
    this.config = cfg;
    inner.start(ctx, cfg);
    live = stats.timed(() -> Algorithms.copy(inner.live()));
    interval = cfg.gateCheckEvery();
    var warm = ctx.seen();
    for (int e = 0; e < warm.size(); e++) {
      seen.add(warm.user(e), warm.item(e), 1f);
    }
  }

  @Override
  protected void learn(StreamEvent e) {
    if (candidate != null) {
      holdout.add(new int[] {e.user(), e.item()});
      holdoutSeen.add(seen.items(e.user()).clone());
    }
    seen.add(e.user(), e.item(), 1f);
    inner.onEvent(e);
    if (candidate == null && ++since >= interval) {
      since = 0;
      candidate = stats.timed(() -> Algorithms.copy(inner.live()));
    } else if (candidate != null && holdout.size() >= config.gateHoldout()) {
      decide();
    }
  }

  private void decide() {
    double candidateHr = stats.timed(() -> hitRate(candidate));
    double liveHr = stats.timed(() -> hitRate(live));
    boolean healthy = healthy(candidate, config.maxNorm());
    if (healthy && candidateHr >= liveHr - config.gateTolerance()) {
      live = candidate;
      stats.accepted();
      acceptedInRow++;
      rejectedInRow = 0;
      if (acceptedInRow >= 3) {
        interval = Math.max(Math.max(1, config.gateCheckEvery() / 8), interval / 2);
        acceptedInRow = 0;
      }
    } else {
      String reason = String.format(Locale.ROOT,
          "gated(%s): candidate rejected on %d held-out events: HR@%d %.4f vs live %.4f (tolerance %.4f)%s",
          inner.name(), holdout.size(), K, candidateHr, liveHr, config.gateTolerance(),
          healthy ? "" : ", and it failed the divergence guard");
      LOG.info(reason);
      stats.rejected(reason);
      inner.replaceLive(Algorithms.copy(live));
      rejectedInRow++;
      acceptedInRow = 0;
      if (rejectedInRow >= 2) {
        interval = Math.min(config.gateCheckEvery() * 8, interval * 2);
        rejectedInRow = 0;
      }
    }
    candidate = null;
    holdout.clear();
    holdoutSeen.clear();
  }

  /** HR@K on the held-out events, excluding what each user had seen before the event. */
  private double hitRate(Recommender model) {
    int hits = 0;
    int n = 0;
    for (int h = 0; h < holdout.size(); h++) {
      int user = holdout.get(h)[0];
      int item = holdout.get(h)[1];
      int[] before = holdoutSeen.get(h);
      if (before.length == 0) {
        continue;
      }
      n++;
      int[] ids = model.recommend(user, K, false, i -> Arrays.binarySearch(before, i) < 0).ids();
      for (int id : ids) {
        if (id == item) {
          hits++;
          break;
        }
      }
    }
    return n == 0 ? 0 : (double) hits / n;
  }
}
