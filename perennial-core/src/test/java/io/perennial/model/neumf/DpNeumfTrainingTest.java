package io.perennial.model.neumf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.model.ModelHealth;
import io.perennial.nn.Activation;
import io.perennial.nn.ParameterOptimizer;
import io.perennial.nn.Tensor;
import io.perennial.privacy.PrivacyReport;
import io.perennial.privacy.RdpAccountant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * DP-SGD for NeuMF: each example's clipped contribution over every parameter, the DP step against
 * the plain one when neither noise nor clipping act, the reported ε, and the noise's cost.
 */
class DpNeumfTrainingTest {

  private static final int USERS = 6;
  private static final int ITEMS = 9;
  private static final int NEGATIVES = 3;

  private static NeumfConfig config() {
    NeumfConfig d = NeumfConfig.defaults();
    // GELU: no dead units, so every part of the network gets a gradient
    return new NeumfConfig(4, 2, 3, Activation.GELU, 1, 4, NEGATIVES, 0.01f, 1f, 0f, 0f, 0.5f, false, 1, 0.5f,
        d.fusedLearningRate(), 7L, 3, 0.01f, 1, 1, 0.05f, 0, null, null);
  }

  private static NeumfNetwork network(long seed, float outputScale) {
    NeumfNetwork net = new NeumfNetwork(config(), USERS, ITEMS);
    SplittableRandom rng = new SplittableRandom(seed);
    net.init(config(), rng);
    float[] v = net.params.values();
    // larger output weights and embeddings give gradients well above and well below the bound
    for (int p = 0; p < v.length; p++) {
      v[p] *= outputScale;
    }
    return net;
  }

  @Test
  void everyExamplesClippedContributionIsAtMostTheBoundAndKeepsItsDirection() {
    SplittableRandom random = new SplittableRandom(5);
    float clip = 1f;
    int clipped = 0;
    for (int trial = 0; trial < 100; trial++) {
      NeumfNetwork net = network(trial, trial % 2 == 0 ? 4f : 0.5f);
      int user = random.nextInt(USERS);
      int item = random.nextInt(ITEMS);
      int[] negatives = new int[NEGATIVES];
      for (int j = 0; j < NEGATIVES; j++) {
        negatives[j] = DpNeumfTraining.uniformNegative(item, ITEMS, random);
        assertThat(negatives[j]).isNotEqualTo(item).isBetween(0, ITEMS - 1);
      }
      // the unclipped gradient, by the (gradient-checked) batch backward over the same rows
      NeumfNetwork.Workspace ws = net.workspace(1 + NEGATIVES);
      fill(ws, 0, user, item, negatives);
      net.trainStep(ws, 1 + NEGATIVES, NeumfNetwork.Mode.FUSED, 1f, 1 + NEGATIVES);
      float[] raw = net.params.grads().clone();
      double rawNorm = norm(raw);
      net.params.zeroGrad();
      float[] before = net.params.values().clone();

      DpNeumfTraining dp = new DpNeumfTraining(net, NEGATIVES, clip);
      dp.addExample(user, item, negatives);
      float[] sum = dp.sum();
      double n = norm(sum);
      assertThat(n).as("trial %d", trial).isLessThanOrEqualTo(clip * (1 + 1e-5));
      assertThat(n).isCloseTo(Math.min(rawNorm, clip), within(1e-4 * clip));
      assertThat(dp.lastNorm()).isCloseTo(rawNorm, within(1e-6 * Math.max(1, rawNorm)));
      double scale = Math.min(1, clip / rawNorm);
      for (int x = 0; x < sum.length; x++) {
        assertThat((double) sum[x]).isCloseTo(raw[x] * scale, within(1e-6 * clip + 1e-5 * Math.abs(raw[x] * scale)));
      }
      assertThat(net.params.values()).as("adding an example changes no parameter").containsExactly(before);
      assertThat(norm(net.params.grads())).as("the scratch gradient is cleared").isZero();
      // the clipped sum covers both towers and the output layer
      assertThat(sliceNorm(sum, net.gmfUser.table())).isPositive();
      assertThat(sliceNorm(sum, net.mlpItem.table())).isPositive();
      assertThat(sliceNorm(sum, net.predictMlp.weight())).isPositive();
      clipped += rawNorm > clip ? 1 : 0;
    }
    assertThat(clipped).as("both clipped and unclipped examples were seen").isBetween(10, 90);
  }

  @Test
  void withoutNoiseAndWithAHugeBoundTheDpStepIsThePlainStep() {
    SplittableRandom random = new SplittableRandom(11);
    NeumfNetwork plain = network(3, 1f);
    NeumfNetwork privateNet = network(3, 1f);
    int batch = 5;
    NeumfNetwork.Workspace ws = plain.workspace(batch * (1 + NEGATIVES));
    DpNeumfTraining dp = new DpNeumfTraining(privateNet, NEGATIVES, 1e9f);
    for (int b = 0; b < batch; b++) {
      int user = random.nextInt(USERS);
      int item = random.nextInt(ITEMS);
      int[] negatives = new int[NEGATIVES];
      for (int j = 0; j < NEGATIVES; j++) {
        negatives[j] = DpNeumfTraining.uniformNegative(item, ITEMS, random);
      }
      fill(ws, b * (1 + NEGATIVES), user, item, negatives);
      dp.addExample(user, item, negatives);
    }
    plain.trainStep(ws, batch * (1 + NEGATIVES), NeumfNetwork.Mode.FUSED, 1f, 1 + NEGATIVES);
    dp.noisyGradient(0f, batch, random);
    float[] plainGrad = plain.params.grads().clone();
    float[] dpGrad = privateNet.params.grads().clone();
    assertThat(norm(plainGrad)).isPositive();
    for (int x = 0; x < plainGrad.length; x++) {
      assertThat(dpGrad[x]).as("gradient %d", x).isCloseTo(plainGrad[x], within(1e-6f + 1e-4f * Math.abs(plainGrad[x])));
    }
    new ParameterOptimizer(plain.params, NeumfTrainer.adam(0.01f, 0f), 0).step();
    new ParameterOptimizer(privateNet.params, NeumfTrainer.adam(0.01f, 0f), 0).step();
    float[] a = plain.params.values();
    float[] b = privateNet.params.values();
    for (int x = 0; x < a.length; x++) {
      // Adam normalises each coordinate, so a tiny gradient moves by a full step: compare at the step's scale
      assertThat(b[x]).as("parameter %d", x).isCloseTo(a[x], within(2e-4f));
    }
  }

  @Test
  void noiseReachesEveryParameterAndIsDividedByTheExpectedBatch() {
    NeumfNetwork net = network(4, 1f);
    DpNeumfTraining dp = new DpNeumfTraining(net, NEGATIVES, 1f);
    dp.noisyGradient(2f, 4, new SplittableRandom(2));
    float[] g = net.params.grads();
    double squares = 0;
    int zero = 0;
    for (float v : g) {
      squares += (double) v * v;
      zero += v == 0 ? 1 : 0;
    }
    // each coordinate is N(0, (2/4)²): the mean square is 0.25
    assertThat(squares / g.length).isCloseTo(0.25, within(0.05));
    assertThat(zero).isZero();
    assertThat(net.params.touched(net.gmfItem.table()).size()).isEqualTo(ITEMS);
    assertThat(net.params.touched(net.mlpUser.table()).size()).isEqualTo(USERS);
    assertThat(norm(dp.sum())).as("the sum is cleared for the next step").isZero();
  }

  @Test
  void theReportedEpsilonIsTheAccountantsForTheStepsTakenAndSurvivesACheckpoint() {
    Dataset data = Fixtures.implicitCheckerboard(4);
    NeumfModel model = train(data, "{\"targetEpsilon\": 4, \"batchSize\": 128}", 3);
    PrivacyReport r = model.privacy();
    assertThat(r).isNotNull();
    assertThat(r.epsilon()).isLessThanOrEqualTo(4.0).isGreaterThan(3.9);
    assertThat(r.steps()).isEqualTo(3L * (long) Math.ceil(r.examples() / 128.0));
    assertThat(r.examples()).isEqualTo(io.perennial.model.UserHistory.of(data.byUser()).size());
    assertThat(r.epsilon()).isCloseTo(RdpAccountant.epsilon(r.samplingRate(), r.noiseMultiplier(), r.steps(), 1e-5)
        .epsilon(), within(1e-9));
    assertThat(ModelHealth.check(model, 1000f).healthy()).isTrue();
    NeumfModel restored = NeumfModel.restore(model.state());
    assertThat(restored.privacy().epsilon()).isCloseTo(r.epsilon(), within(1e-5));
    assertThat(restored.privacy().steps()).isEqualTo(r.steps());
    assertThat(train(data, null, 1).privacy()).isNull();
  }

  @Test
  void dpRefusesPretrainingWithAClearError() {
    ObjectNode overrides = small(1);
    overrides.put("pretrain", true);
    overrides.set("dp", new ObjectMapper().createObjectNode().put("targetEpsilon", 4));
    assertThatThrownBy(() -> Algorithms.trainer("neumf", overrides)).hasMessageContaining("dp and pretrain");
  }

  @Test
  void moreNoiseCostsAccuracy() {
    Dataset data = Fixtures.implicitCheckerboard(4);
    double quiet = Fixtures.checkerboardAuc(train(data, "{\"noiseMultiplier\": 0.05, \"batchSize\": 128, \"clipNorm\": 1}", 30));
    double loud = Fixtures.checkerboardAuc(train(data, "{\"noiseMultiplier\": 100, \"batchSize\": 128, \"clipNorm\": 1}", 30));
    assertThat(quiet).as("little noise learns the blocks").isGreaterThan(0.8);
    assertThat(loud).isLessThan(quiet - 0.1);
  }


  private static ObjectNode small(int epochs) {
    return new ObjectMapper().createObjectNode().put("gmfFactors", 8).put("mlpFactors", 4).put("epochs", epochs)
        .put("learningRate", 0.02f);
  }

  private static NeumfModel train(Dataset data, String dp, int epochs) {
    try {
      ObjectNode overrides = small(epochs);
      if (dp != null) {
        overrides.set("dp", new ObjectMapper().readTree(dp));
      }
      return (NeumfModel) Algorithms.trainer("neumf", overrides).fit(data);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void fill(NeumfNetwork.Workspace ws, int at, int user, int item, int[] negatives) {
    ws.users[at] = user;
    ws.items[at] = item;
    ws.labels[at] = 1f;
    for (int j = 0; j < negatives.length; j++) {
      ws.users[at + 1 + j] = user;
      ws.items[at + 1 + j] = negatives[j];
      ws.labels[at + 1 + j] = 0f;
    }
  }

  private static double norm(float[] a) {
    double s = 0;
    for (float v : a) {
      s += (double) v * v;
    }
    return Math.sqrt(s);
  }

  private static double sliceNorm(float[] a, Tensor t) {
    double s = 0;
    for (int x = t.offset(); x < t.offset() + t.size(); x++) {
      s += (double) a[x] * a[x];
    }
    return Math.sqrt(s);
  }
}
