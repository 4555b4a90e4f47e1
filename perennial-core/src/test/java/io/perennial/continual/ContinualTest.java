package io.perennial.continual;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Recommender;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContinualTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A small drifting synthetic stream, in stream order. */
  private static Dataset stream(long events, double shiftAt) {
    SyntheticConfig config = SyntheticConfig.defaults().withEvents(events).withSize(400, 300).withShiftAt(shiftAt);
    return LogEventStream.inStreamOrder(SyntheticGenerator.generate(config));
  }

  private static PrequentialResult run(Dataset stream, String strategy, String model, ObjectNode config) {
    StrategyConfig sc = StrategyConfig.forStream(stream.size() / 2);
    return PrequentialEvaluator.run(stream, Strategies.create(strategy), model,
        config == null ? Algorithms.streamingDefaults(model) : config, sc,
        new PrequentialEvaluator.Settings(10, 0.5, 10, 500, 1), p -> {});
  }

  @Test
  void streamOrderAssignsIdsByFirstAppearanceAndOrdersByTimeThenIds() {
    InteractionLog log = new InteractionLog();
    IdIndex users = IdIndex.of(List.of("10", "2", "x"));
    IdIndex items = IdIndex.of(List.of("b", "a"));
    log.add(0, 0, 1f, 50, InteractionType.VIEW);   // user 10 at t=50
    log.add(1, 1, 1f, 50, InteractionType.VIEW);   // user 2 at t=50 -> before user 10 (2 < 10)
    log.add(2, 0, 1f, 10, InteractionType.VIEW);   // user x at t=10 -> first
    Dataset ordered = LogEventStream.inStreamOrder(new Dataset(users, items, log,
        new ReadReport(3, 3, Map.of(), 0, 0, List.of())));
    assertThat(ordered.users().ids()).containsExactly("x", "2", "10");
    assertThat(ordered.items().ids()).containsExactly("b", "a");
    assertThat(ordered.log().timestamp(0)).isEqualTo(10);
    assertThat(ordered.log().user(1)).isEqualTo(1);
    LogEventStream events = new LogEventStream(ordered.log());
    assertThat(events.next().offset()).isZero();
    assertThat(events.next().offset()).isEqualTo(1);
    events.seek(0);
    assertThat(events.position()).isZero();
    assertThatThrownBy(() -> events.seek(99)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void continualStrategiesBeatStaticOnADriftingStream() {
    Dataset stream = stream(30_000, -1);
    double staticHr = run(stream, "static", "ials", null).hitRate();
    for (String s : List.of("online", "incremental", "hybrid", "full")) {
      PrequentialResult r = run(stream, s, "ials", null);
      assertThat(r.hitRate()).as("%s HR@10 vs static %.4f", s, staticHr).isGreaterThan(staticHr);
      assertThat(r.tested()).isGreaterThan(10_000);
      assertThat(r.accepted()).isPositive();
      assertThat(r.sliceHitRate()).hasSize(10);
      assertThat(r.updateCpuSeconds()).isPositive();
    }
  }

  @Test
  void tablesGrowForUsersAndItemsThatArriveMidStream() {
    Dataset stream = stream(20_000, -1);
    PrequentialResult online = run(stream, "online", "bpr", null);
    PrequentialResult fixed = run(stream, "static", "bpr", null);
    assertThat(online.users()).isEqualTo(stream.userCount());
    assertThat(online.items()).isEqualTo(stream.itemCount());
    assertThat(fixed.users()).isLessThan(stream.userCount());
    assertThat(fixed.items()).isLessThan(stream.itemCount());
    assertThat(online.lastOffset()).isEqualTo(stream.size() - 1);
  }

  @Test
  void resumingFromTheLastOffsetLearnsEveryEventExactlyOnce() {
    Dataset stream = stream(6_000, -1);
    int warmup = 3_000;
    // uninterrupted
    UpdateStrategy whole = startOnline(stream, "pop", warmup);
    LogEventStream events = new LogEventStream(stream.log());
    events.seek(warmup);
    while (events.hasNext()) {
      whole.onEvent(events.next());
    }
    // interrupted at 4,500: checkpoint (model state + last offset), restart, seek, continue
    UpdateStrategy first = startOnline(stream, "pop", warmup);
    LogEventStream part = new LogEventStream(stream.log());
    part.seek(warmup);
    while (part.position() < 4_500) {
      first.onEvent(part.next());
    }
    long checkpointOffset = first.lastOffset();
    Recommender saved = Algorithms.copy(first.live());
    UpdateStrategy resumed = startOnline(stream, "pop", warmup);
    resumed.replaceLive(saved);
    LogEventStream again = new LogEventStream(stream.log());
    again.seek(checkpointOffset + 1);
    while (again.hasNext()) {
      resumed.onEvent(again.next());
    }
    assertThat(resumed.lastOffset()).isEqualTo(whole.lastOffset());
    AbstractRecommender a = (AbstractRecommender) whole.live();
    AbstractRecommender b = (AbstractRecommender) resumed.live();
    assertThat(b.history().size()).isEqualTo(a.history().size());
    assertThat(Arrays.copyOf(b.popularity(), b.itemCount())).containsExactly(Arrays.copyOf(a.popularity(), a.itemCount()));
    for (int u = 0; u < 50; u++) {
      assertThat(b.recommend(u, 10, true, null)).isEqualTo(a.recommend(u, 10, true, null));
    }
    // learning an offset twice is refused
    StreamEvent repeat = new LogEventStream(stream.log()).next();
    assertThatThrownBy(() -> resumed.onEvent(repeat)).hasMessageContaining("already learned");
  }

  private static UpdateStrategy startOnline(Dataset stream, String model, int warmup) {
    StreamContext ctx = new StreamContext(model, null, stream);
    LogEventStream events = new LogEventStream(stream.log());
    while (events.position() < warmup) {
      ctx.record(events.next());
    }
    UpdateStrategy s = Strategies.create("online");
    s.start(ctx, StrategyConfig.forStream(stream.size() - warmup));
    return s;
  }

  @Test
  void theDivergenceGuardRestoresRowsAnUpdateBlewUp() throws Exception {
    Dataset stream = stream(8_000, -1);
    // A learning rate this large makes SGD explode within a few events.
    ObjectNode config = (ObjectNode) JSON.readTree("{\"learningRate\": 50, \"onlineSteps\": 5, \"learningRateDecay\": 1}");
    PrequentialResult r = run(stream, "online", "mf", config);
    assertThat(r.rejected()).isPositive();
    assertThat(r.rejections().get(0)).contains("diverge").contains("restored");
    UpdateStrategy online = startOnline(stream, "mf", 4_000);
    FactorModel model = (FactorModel) online.live();
    assertThat(model.isHealthy(1e3f)).isTrue();
  }

  @Test
  void theGateRejectsAPoisonedSliceAndKeepsTheAcceptedModel() {
    Dataset clean = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(30_000).withSize(400, 300));
    Dataset poisoned = LogEventStream.inStreamOrder(Scenarios.poison(clean, 0.7, 2_500, 3));
    PrequentialResult gated = run(poisoned, "gated", "ials", null);
    assertThat(gated.rejected()).as("rejections: %s", gated.rejections()).isPositive();
    assertThat(gated.rejections()).anySatisfy(r -> assertThat(r).contains("rejected: HR@10 of the learning model"));
    PrequentialResult cleanGated = run(LogEventStream.inStreamOrder(clean), "gated", "ials", null);
    assertThat(cleanGated.rejected()).isLessThan(gated.rejected());
  }

  @Test
  void onlineLearningPicksUpABurstOfNewItemsThatStaticCannot() {
    Dataset base = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(20_000).withSize(400, 300));
    Dataset burst = LogEventStream.inStreamOrder(Scenarios.newItemBurst(base, 0.7, 20, 3_000, 5));
    assertThat(burst.itemCount()).isEqualTo(io.perennial.data.DatasetStats.of(base).items() + 20);
    PrequentialResult fixed = run(burst, "static", "ials", null);
    PrequentialResult online = run(burst, "online", "ials", null);
    // the slices after the burst: the static model has never seen the new items
    int from = 4;
    double staticAfter = Arrays.stream(fixed.sliceHitRate(), from, 10).average().orElseThrow();
    double onlineAfter = Arrays.stream(online.sliceHitRate(), from, 10).average().orElseThrow();
    assertThat(onlineAfter).isGreaterThan(staticAfter * 1.5);
  }

  @Test
  void replayBufferKeepsAUniformBoundedSample() {
    ReplayBuffer buffer = new ReplayBuffer(1_000, 7);
    int n = 50_000;
    for (int e = 0; e < n; e++) {
      buffer.offer(new StreamEvent(e, e % 100, e % 37, 1f, e, InteractionType.VIEW));
    }
    assertThat(buffer.size()).isEqualTo(1_000);
    assertThat(buffer.offered()).isEqualTo(n);
    double mean = 0;
    int late = 0;
    for (int s = 0; s < buffer.size(); s++) {
      mean += buffer.timestampAt(s);
      late += buffer.timestampAt(s) >= n / 2 ? 1 : 0;
    }
    mean /= buffer.size();
    // a uniform sample of 0..n-1 has mean n/2 and half its members in the second half
    assertThat(mean).isCloseTo(n / 2.0, within(n * 0.05));
    assertThat(late).isBetween(430, 570);
    InteractionLog out = new InteractionLog();
    buffer.sampleInto(out, 300);
    assertThat(out.size()).isEqualTo(300);
  }

  @Test
  void everyModelLearnsOnlineAndGrows() {
    Dataset stream = stream(5_000, -1);
    for (String name : Algorithms.NAMES) {
      if (Algorithms.needsContent(name)) {
        continue; // the generated stream has no item metadata (ContentContractTest covers their growth)
      }
      StreamContext ctx = new StreamContext(name, null, stream);
      LogEventStream events = new LogEventStream(stream.log());
      while (events.position() < 2_500) {
        ctx.record(events.next());
      }
      Recommender model = ctx.trainFromScratch(0);
      int usersBefore = model.userCount();
      while (events.hasNext()) {
        StreamEvent e = events.next();
        ((OnlineLearner) model).learnOnline(e.user(), e.item(), e.value(), e.timestamp());
      }
      assertThat(model.userCount()).as(name).isEqualTo(stream.userCount()).isGreaterThan(usersBefore);
      assertThat(model.itemCount()).as(name).isEqualTo(stream.itemCount());
      int newest = stream.userCount() - 1;
      assertThat(model.recommend(newest, 5, true, null).size()).as(name).isEqualTo(5);
    }
  }

  /** A tiny stream: warm-up of users 0-1 on items 0-4, then the given (user, item, time) events. */
  private static Dataset tinyStream(int[][] tail) {
    InteractionLog log = new InteractionLog();
    long t = 0;
    for (int u = 0; u < 2; u++) {
      for (int i = 0; i < 5; i++) {
        log.add(u, i, 1f, t++, InteractionType.VIEW);
      }
    }
    for (int[] e : tail) {
      log.add(e[0], e[1], 1f, e[2], InteractionType.VIEW);
    }
    IdIndex users = new IdIndex();
    IdIndex items = new IdIndex();
    for (int u = 0; u < 10; u++) {
      users.getOrAdd("u" + u);
    }
    for (int i = 0; i < 10; i++) {
      items.getOrAdd("i" + i);
    }
    return new Dataset(users, items, log, new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
  }

  @Test
  void admissionLearnsAnIdOnlyAfterNOccurrencesAndEvictionForgetsStaleIds() {
    Dataset stream = tinyStream(new int[][] {
        {2, 0, 20}, {2, 1, 21},          // new user 2: two events, not admitted yet
        {0, 5, 22},                      // new item 5: one event, not admitted
        {2, 2, 23},                      // third event of user 2: admitted, all three learned
        {0, 1, 500}, {2, 3, 501}});      // much later: user 1 and items 4, 5 go stale
    StreamContext ctx = new StreamContext("bpr", null, stream);
    LogEventStream events = new LogEventStream(stream.log());
    while (events.position() < 10) {
      ctx.record(events.next());
    }
    Strategies.Online online = (Strategies.Online) Strategies.create("online");
    online.start(ctx, StrategyConfig.forStream(6).withLifecycle(3, 100));
    AbstractRecommender model = (AbstractRecommender) online.live();
    online.onEvent(events.next());
    online.onEvent(events.next());
    assertThat(model.history().items(2)).isEmpty();
    assertThat(model.recommend(2, 3, true, null).fallback()).isTrue();
    assertThat(online.lifecycle().waiting()).isEqualTo(2);
    online.onEvent(events.next());
    assertThat(online.lifecycle().itemAdmitted(5)).isFalse();
    model = (AbstractRecommender) online.live();
    for (int u = 0; u < 2; u++) {
      assertThat(model.recommend(u, 10, false, null).ids()).doesNotContain(5);
    }
    online.onEvent(events.next());
    assertThat(model.history().items(2)).containsExactly(0, 1, 2);
    assertThat(online.lifecycle().waiting()).isEqualTo(1);   // (0, 5) still waits for item 5
    assertThat(online.tableSizes()).containsExactly(3, 5);
    online.onEvent(events.next());
    online.onEvent(events.next());
    // the sweep at t=500 evicts everything last seen before t=400: users 1 and 2, items 0, 2-5;
    // user 2 comes back at t=501 as a new id that must earn admission again
    assertThat(online.lifecycle().evictedUsers()).isEqualTo(2);
    assertThat(online.lifecycle().evictedItems()).isEqualTo(5);
    assertThat(model.history().items(1)).isEmpty();
    assertThat(model.history().items(2)).isEmpty();
    assertThat(model.recommend(1, 3, true, null).fallback()).isTrue();
    assertThat(model.recommend(0, 10, false, null).ids()).containsExactly(1);
    assertThat(online.tableSizes()).containsExactly(1, 1);
    assertThat(online.lifecycle().waiting()).isEqualTo(1);
  }

  @Test
  void strategyNamesAreValidated() {
    assertThat(Strategies.create("gated-full").name()).isEqualTo("gated");
    assertThatThrownBy(() -> Strategies.create("psychic")).hasMessageContaining("unknown strategy 'psychic'");
  }
}
