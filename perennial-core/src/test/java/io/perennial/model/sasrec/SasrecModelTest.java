package io.perennial.model.sasrec;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import io.perennial.eval.Candidates;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.ModelHealth;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserQuery;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SASRec on a sequence world where order is everything: items form fixed chains and every user
 * walks one chain from a random point, so the next item is determined by the last one while
 * popularity knows nothing of it.
 */
class SasrecModelTest {

  static final int CHAINS = 8;
  static final int CHAIN_LENGTH = 25;
  static final int USERS = 240;

  /** Item of chain {@code c} at step {@code s} (wrapping round the chain). */
  static int item(int chain, int step) {
    return chain * CHAIN_LENGTH + Math.floorMod(step, CHAIN_LENGTH);
  }

  static Dataset chains(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    InteractionLog log = new InteractionLog();
    long t = 1;
    for (int u = 0; u < USERS; u++) {
      int chain = random.nextInt(CHAINS);
      int start = random.nextInt(CHAIN_LENGTH);
      int length = 8 + random.nextInt(12);
      for (int s = 0; s < length; s++) {
        log.add(u, item(chain, start + s), 1f, t++, InteractionType.VIEW);
      }
    }
    IdIndex users = new IdIndex();
    for (int u = 0; u < USERS; u++) {
      users.getOrAdd("u" + u);
    }
    IdIndex items = new IdIndex();
    for (int i = 0; i < CHAINS * CHAIN_LENGTH; i++) {
      items.getOrAdd("i" + i);
    }
    return new Dataset(users, items, log, new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
  }

  /** The defaults with 30 epochs: the chain world is learnt long before the adaptive 100. */
  static Trainer quick() {
    return Algorithms.trainer("sasrec", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
        .put("epochs", 30));
  }

  /** Records the model the evaluator trains, so the test can look at it afterwards. */
  private static final class Capturing implements Trainer {
    final Trainer inner = quick();
    SasrecModel model;

    @Override
    public String type() {
      return inner.type();
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode configJson() {
      return inner.configJson();
    }

    @Override
    public Recommender fit(Dataset train, TrainingOptions options) {
      model = (SasrecModel) inner.fit(train, options);
      return model;
    }
  }

  @Test
  void beatsPopularityByAWideMarginWhenOrderDecides() {
    Dataset data = chains(1);
    Split loo = Splitters.leaveOneOut(data.log());
    EvalSettings settings = EvalSettings.ranking(10).withAuc(false).withCandidates(Candidates.ALL);
    Capturing sasrec = new Capturing();
    double hr = Evaluator.run(sasrec, data, List.of(loo), settings, TrainingOptions.silent()).metrics().get("hr@10");
    double pop = Evaluator.run(Algorithms.trainer("pop", null), data, List.of(loo), settings, TrainingOptions.silent())
        .metrics().get("hr@10");
    System.out.printf("chain world, loo full ranking: sasrec hr@10 %.3f, pop %.3f%n", hr, pop);
    assertThat(hr).isGreaterThan(0.8);
    assertThat(hr - pop).isGreaterThan(0.5);
    // the evaluator fed each validation item to the model before the test
    for (int e = 0; e < loo.validation().size(); e++) {
      int[] seq = sasrec.model.sequence(loo.validation().user(e));
      assertThat(seq[seq.length - 1]).isEqualTo(loo.validation().item(e));
    }
  }

  @Test
  void observeAppendsContextWithoutLearning() {
    Dataset data = chains(2);
    SasrecModel model = (SasrecModel) quick().fit(data);
    float[] before = model.network().params().values().clone();
    int user = 5;
    int[] seq = model.sequence(user);
    int last = seq[seq.length - 1];
    int chain = last / CHAIN_LENGTH;
    int next = item(chain, last % CHAIN_LENGTH + 1);
    float scoreBefore = model.score(user, item(chain, last % CHAIN_LENGTH + 2));
    InteractionLog context = new InteractionLog();
    context.add(user, next, 1f, 10_000_000L, InteractionType.VIEW);
    model.observe(context);
    assertThat(model.network().params().values()).isEqualTo(before);
    int[] now = model.sequence(user);
    assertThat(now[now.length - 1]).isEqualTo(next);
    assertThat(model.score(user, item(chain, last % CHAIN_LENGTH + 2))).isNotEqualTo(scoreBefore);
    assertThat(model.recommend(user, 1, true, null).ids()[0]).isEqualTo(item(chain, last % CHAIN_LENGTH + 2));
  }

  @Test
  void foldInRunsTheSequenceInTheOrderGiven() {
    SasrecModel model = (SasrecModel) quick().fit(chains(3));
    int[] walk = {item(2, 3), item(2, 4), item(2, 5), item(2, 6)};
    UserQuery query = model.foldInUser(walk, null);
    assertThat(query.items()).isSorted().containsExactlyInAnyOrder(walk);
    assertThat(query.vector()).hasSize(model.config().factors());
    assertThat(model.recommend(query, 1, null).ids()[0]).isEqualTo(item(2, 7));
    int[] backwards = {item(2, 6), item(2, 5), item(2, 4), item(2, 3)};
    assertThat(model.foldInUser(backwards, null).vector()).isNotEqualTo(query.vector());
  }

  @Test
  void learnsOnlineFromAShortStreamAndGrowsForNewItems() {
    Dataset data = chains(4);
    SasrecModel model = (SasrecModel) quick().fit(data);
    int newUser = USERS;
    for (int s = 0; s < 5; s++) {
      model.learnOnline(newUser, item(6, 10 + s), 1f, 20_000_000L + s);
    }
    assertThat(model.userCount()).isEqualTo(USERS + 1);
    assertThat(model.sequence(newUser)).containsExactly(item(6, 10), item(6, 11), item(6, 12), item(6, 13), item(6, 14));
    assertThat(model.recommend(newUser, 3, true, null).ids()).contains(item(6, 15));
    int newItem = CHAINS * CHAIN_LENGTH;
    model.learnOnline(newUser, newItem, 1f, 20_000_010L);
    assertThat(model.itemCount()).isEqualTo(newItem + 1);
    assertThat(model.score(newUser, newItem)).isFinite();
    ModelHealth.Verdict verdict = ModelHealth.check(model);
    assertThat(verdict.healthy()).as(verdict.reason()).isTrue();
  }

  /** Item rows an online event on a chain user changes, with {@code onlineNegatives} of the 64 negatives. */
  private static int itemRowsOneEventChanges(int onlineNegatives) {
    SasrecModel model = (SasrecModel) Algorithms.trainer("sasrec", new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode().put("epochs", 2).put("negatives", 64).put("onlineSteps", 1).put("onlineReplay", 0)
        .put("onlineNegatives", onlineNegatives)).fit(chains(6));
    float[] before = model.network().params().values().clone();
    model.learnOnline(3, item(1, 2), 1f, 30_000_000L);
    float[] after = model.network().params().values();
    int changed = 0;
    int c = model.network().channels();
    for (int i = 0; i < model.itemCount(); i++) {
      int at = model.network().itemRow(i);
      if (!java.util.Arrays.equals(before, at, at + c, after, at, at + c)) {
        changed++;
      }
    }
    return changed;
  }

  @Test
  void onlineStepsSampleTheirOwnNumberOfNegatives() {
    int few = itemRowsOneEventChanges(4);
    int all = itemRowsOneEventChanges(0);
    // the window holds at most 20 items (a chain user has 8–19, plus the event), plus 4 negatives; 64 touch many more
    assertThat(few).isPositive().isLessThanOrEqualTo(20 + 4);
    assertThat(all).isGreaterThan(few + 20);
  }

  /** How far one online event moves the parameters (L1), at the given online rate (0 = the training's). */
  private static double parameterShiftOfOneEvent(float onlineLearningRate) {
    SasrecModel model = (SasrecModel) Algorithms.trainer("sasrec", new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode().put("epochs", 2).put("onlineSteps", 1).put("onlineReplay", 1)
        .put("onlineLearningRate", onlineLearningRate)).fit(chains(7));
    float[] before = model.network().params().values().clone();
    model.learnOnline(5, item(2, 3), 1f, 30_000_000L);
    float[] after = model.network().params().values();
    double shift = 0;
    for (int i = 0; i < before.length; i++) {
      shift += Math.abs(after[i] - before[i]);
    }
    return shift;
  }

  @Test
  void onlineStepsTakeTheirOwnLearningRateAHundredthOfTrainingsByDefault() {
    double trainingRate = parameterShiftOfOneEvent(2e-3f);
    double hundredthRate = parameterShiftOfOneEvent(2e-5f);
    // Adam's first step moves each touched parameter by about the rate: a hundredth of it, a hundredth as far
    assertThat(hundredthRate).isPositive().isLessThan(trainingRate / 20);
    assertThat(parameterShiftOfOneEvent(0f)).isCloseTo(hundredthRate, org.assertj.core.api.Assertions.withinPercentage(1));
  }

  @Test
  void bceTrainsToo() throws Exception {
    var overrides = new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"loss\": \"BCE\", \"epochs\": 40}");
    Dataset data = chains(5);
    Split loo = Splitters.leaveOneOut(data.log());
    double hr = Evaluator.run(Algorithms.trainer("sasrec", overrides), data, List.of(loo),
        EvalSettings.ranking(10).withAuc(false).withCandidates(new Candidates(100, 42)), TrainingOptions.silent())
        .metrics().get("hr@10");
    System.out.printf("chain world, loo sampled:100, BCE: hr@10 %.3f%n", hr);
    assertThat(hr).isGreaterThan(0.6);
  }

  @Test
  void sameSeedAndThreadsGiveTheSameParameters() {
    SasrecModel a = (SasrecModel) quick().fit(chains(6));
    SasrecModel b = (SasrecModel) quick().fit(chains(6));
    assertThat(a.network().params().values()).isEqualTo(b.network().params().values());
  }

  @Test
  void adaptiveLengthAndEpochsFollowTheData() {
    assertThat(SasrecTrainer.epochsFor(99_006)).isEqualTo(50);
    assertThat(SasrecTrainer.epochsFor(10_000_000)).isEqualTo(10);
    assertThat(SasrecTrainer.epochsFor(100)).isEqualTo(100);
    InteractionLog log = new InteractionLog();
    for (int u = 0; u < 4; u++) {
      for (int i = 0; i < (u == 3 ? 500 : 30); i++) {
        log.add(u, i, 1f, i, InteractionType.VIEW);
      }
    }
    assertThat(SasrecTrainer.maxLengthFor(io.perennial.data.UserSequences.of(log))).isEqualTo(200);
    InteractionLog shorter = new InteractionLog();
    for (int u = 0; u < 8; u++) {
      for (int i = 0; i < 30; i++) {
        shorter.add(u, i, 1f, i, InteractionType.VIEW);
      }
    }
    assertThat(SasrecTrainer.maxLengthFor(io.perennial.data.UserSequences.of(shorter))).isEqualTo(50);
  }

  /** A stream that contradicts the chains: users jump between chains at random. */
  private static InteractionLog noise(int users, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    InteractionLog log = new InteractionLog();
    for (int n = 0; n < 400; n++) {
      log.add(random.nextInt(users), random.nextInt(CHAINS * CHAIN_LENGTH), 1f, 30_000_000L + n, InteractionType.VIEW);
    }
    return log;
  }

  /**
   * How far the top-10 of the first 40 users moved: the mean share of the earlier model's top-10
   * missing from the later one's (softmax targets fix scores only up to a shift, so ranks are the
   * measure).
   */
  private static double drift(SasrecModel before, SasrecModel after) {
    double moved = 0;
    for (int u = 0; u < 40; u++) {
      int[] was = before.recommend(u, 10, true, null).ids();
      int[] now = after.recommend(u, 10, true, null).ids();
      long kept = java.util.Arrays.stream(was).filter(i -> java.util.Arrays.stream(now).anyMatch(j -> j == i)).count();
      moved += (10 - kept) / 10.0;
    }
    return moved / 40;
  }

  @Test
  void partialFitLearnsAndStabilityHoldsTheOldModel() {
    Dataset data = chains(7);
    SasrecModel trained = (SasrecModel) quick().fit(data);
    InteractionLog stream = noise(USERS, 8);
    InteractionLog past = data.log();
    // an anchor strong enough to pull all the way back keeps every parameter where it was
    SasrecModel anchored = (SasrecModel) Algorithms.copy(trained);
    anchored.partialFit(io.perennial.model.Update.of(stream, USERS, CHAINS * CHAIN_LENGTH).withReplay(past)
        .withStability(new io.perennial.model.Stability(1e9f, false, 0f)));
    assertThat(anchored.network().params().values())
        .containsExactly(trained.network().params().values(), org.assertj.core.api.Assertions.within(1e-6f));
    assertThat(anchored.sequence(stream.user(0))).endsWith(stream.item(lastEventOf(stream, stream.user(0))));
    SasrecModel plain = (SasrecModel) Algorithms.copy(trained);
    plain.partialFit(io.perennial.model.Update.of(stream, USERS, CHAINS * CHAIN_LENGTH).withReplay(past));
    SasrecModel distilled = (SasrecModel) Algorithms.copy(trained);
    distilled.partialFit(io.perennial.model.Update.of(stream, USERS, CHAINS * CHAIN_LENGTH).withReplay(past)
        .withStability(new io.perennial.model.Stability(0f, false, 5f)).withTeacher(trained));
    double plainDrift = drift(trained, plain);
    double distilledDrift = drift(trained, distilled);
    System.out.printf("partialFit top-10 drift on old users: plain %.3f, distilled %.3f%n", plainDrift, distilledDrift);
    assertThat(plainDrift).isPositive();
    assertThat(distilledDrift).isLessThan(plainDrift);
    assertThat(ModelHealth.check(distilled).healthy()).isTrue();
  }

  private static int lastEventOf(InteractionLog log, int user) {
    int last = -1;
    for (int e = 0; e < log.size(); e++) {
      if (log.user(e) == user) {
        last = e;
      }
    }
    return last;
  }
}
