package io.perennial.model.bpr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;
import org.junit.jupiter.api.Test;

/** The loss-weighted choice of the positives an online BPR event replays ({@link BprConfig#onlineReplayByLoss}). */
class BprOnlineReplayByLossTest {

  /**
   * One user (vector (1, 0)) who liked items 0–5: items 0–3 point along the user (scored +3, low
   * loss), items 4–5 point away (scored −3, high loss); items 6–9 are neutral.
   */
  private static BprModel tinyWorld(BprConfig config) {
    int items = 10;
    UserHistory history = new UserHistory(1);
    for (int i = 0; i < 6; i++) {
      history.add(0, i, 1f);
    }
    float[] itemFactors = new float[items * 2];
    for (int i = 0; i < 4; i++) {
      itemFactors[i * 2] = 3f;
    }
    itemFactors[4 * 2] = -3f;
    itemFactors[5 * 2] = -3f;
    return new BprModel(config, 2, history, new float[items], 1, items, new float[] {1f, 0f}, itemFactors,
        new float[items]);
  }

  private static BprConfig tinyConfig() {
    BprConfig d = BprConfig.defaults();
    return new BprConfig(2, 0, d.learningRate(), d.learningRateDecay(), d.regularization(), d.biasRegularization(),
        d.initScale(), d.negativeSampling(), d.popularityExponent(), d.samplesPerEpoch(), d.optimizer(), 1, 7L,
        d.foldInSteps(), d.partialFitEpochs(), d.onlineSteps(), d.onlineReplay(), 0, 0f, null, 0, null, null, true);
  }

  @Test
  void theHighLossPositivesAreReplayedMoreOften() {
    BprModel model = tinyWorld(tinyConfig());
    int draws = 12_000;
    int[] counts = new int[10];
    for (int item : model.replayedByLoss(0, model.history().items(0), draws)) {
      counts[item]++;
    }
    for (int i = 6; i < 10; i++) {
      assertThat(counts[i]).as("item %d is not a positive", i).isZero();
    }
    int lowLossMost = Math.max(Math.max(counts[0], counts[1]), Math.max(counts[2], counts[3]));
    int highLossLeast = Math.min(counts[4], counts[5]);
    // loss of a +3 positive against the uniform items ≈ 0.75, of a −3 one ≈ 4.2
    assertThat(highLossLeast).isGreaterThan(3 * lowLossMost);
    assertThat(counts[4] + counts[5]).isGreaterThan(draws / 2);
    assertThat(lowLossMost).isPositive();
  }

  @Test
  void theSameSeedLearnsTheSameModelAndTheWeightingChangesIt() {
    Dataset data = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(4_000));
    BprConfig d = BprConfig.defaults();
    BprConfig byLoss = new BprConfig(8, 2, d.learningRate(), d.learningRateDecay(), d.regularization(),
        d.biasRegularization(), d.initScale(), d.negativeSampling(), d.popularityExponent(), d.samplesPerEpoch(),
        d.optimizer(), 1, 11L, d.foldInSteps(), d.partialFitEpochs(), d.onlineSteps(), d.onlineReplay(), 0, 0f, null,
        0, null, null, true);
    float[] first = learnOnlineAndScore(byLoss, data);
    float[] again = learnOnlineAndScore(byLoss, data);
    float[] uniform = learnOnlineAndScore(byLoss.withOnlineReplayByLoss(false), data);
    assertThat(first.length).isPositive();
    // Arrays.equals, not containsExactly: AssertJ's element diff is quadratic on arrays this long
    assertThat(java.util.Arrays.equals(again, first)).as("same seed, same scores").isTrue();
    assertThat(java.util.Arrays.equals(uniform, first)).as("uniform replay learns another model").isFalse();
  }

  /** Trains on the first half of the log, learns the second half online, and returns the scores of every pair. */
  private static float[] learnOnlineAndScore(BprConfig config, Dataset data) {
    int half = data.size() / 2;
    io.perennial.data.InteractionLog log = data.log();
    io.perennial.data.InteractionLog first = new io.perennial.data.InteractionLog(half);
    for (int e = 0; e < half; e++) {
      first.add(log.user(e), log.item(e), log.value(e), log.timestamp(e), log.type(e));
    }
    BprModel model = new BprTrainer(config).fit(data.withLog(first), TrainingOptions.silent());
    for (int e = half; e < log.size(); e++) {
      model.learnOnline(log.user(e), log.item(e), log.value(e), log.timestamp(e));
    }
    float[] scores = new float[data.userCount() * data.itemCount()];
    for (int u = 0; u < data.userCount(); u++) {
      for (int i = 0; i < data.itemCount(); i++) {
        scores[u * data.itemCount() + i] = model.score(u, i);
      }
    }
    return scores;
  }

  @Test
  void aConfigWithoutTheFieldReplaysUniformlyAndTheJsonKeyIsRead() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode old = json.valueToTree(BprConfig.defaults());
    old.remove("onlineReplayByLoss");
    assertThat(json.convertValue(old, BprConfig.class).onlineReplayByLoss()).isFalse();
    old.put("onlineReplayByLoss", true);
    assertThat(json.convertValue(old, BprConfig.class).onlineReplayByLoss()).isTrue();
  }
}
