package io.perennial.model.sasrec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.model.ModelHealth;
import io.perennial.nn.Activation;
import io.perennial.nn.PerExampleClipping;
import io.perennial.privacy.PrivacyReport;
import io.perennial.privacy.RdpAccountant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * User-level DP-SGD for SASRec: each user's clipped contribution, the DP gradient against the
 * plain batch gradient when neither noise nor clipping act, and the reported ε per user.
 */
class DpSasrecTrainingTest {

  private static final int ITEMS = 12;

  /** Full softmax (negatives ≥ items) and no dropout: a user's gradient does not depend on the pass key. */
  private static SasrecConfig config() {
    return new SasrecConfig(8, 1, 2, 6, 1, 4, 1e-3f, 0, 0f, SasrecConfig.Loss.SOFTMAX, 64, Activation.GELU, 0f,
        0f, 1, 7L, 1, 1, 0, null);
  }

  private static SasrecNetwork network(long seed) {
    SasrecConfig c = config();
    return new SasrecNetwork(ITEMS, c.factors(), c.blocks(), c.heads(), c.maxLength(), c.dropout(), c.activation(),
        seed);
  }

  private static List<SasrecSteps.Window> users(int count, int length, SplittableRandom random) {
    List<SasrecSteps.Window> windows = new ArrayList<>();
    for (int u = 0; u < count; u++) {
      int[] seq = new int[length + 1];
      for (int t = 0; t < seq.length; t++) {
        seq[t] = random.nextInt(ITEMS);
      }
      windows.add(new SasrecSteps.Window(u, seq, 0, length));
    }
    return windows;
  }

  @Test
  void everyUsersClippedContributionIsAtMostTheBoundAndKeepsItsDirection() {
    SplittableRandom random = new SplittableRandom(3);
    int clipped = 0;
    for (int trial = 0; trial < 30; trial++) {
      SasrecNetwork net = network(trial);
      float clip = trial % 2 == 0 ? 0.05f : 50f;
      try (SasrecSteps steps = new SasrecSteps(net, config(), 1, 0, null, ITEMS)) {
        List<SasrecSteps.Window> windows = users(1, 2 + random.nextInt(4), random);
        steps.gradients(windows, 0, 1, trial);
        float[] raw = net.params().grads().clone();
        double rawNorm = Math.sqrt(net.params().gradSquaredNorm());
        PerExampleClipping clipping = new PerExampleClipping(net.params(), clip);
        clipping.addExample();
        double n = norm(clipping.sum());
        assertThat(rawNorm).isPositive();
        assertThat(n).as("trial %d", trial).isLessThanOrEqualTo(clip * (1 + 1e-5));
        assertThat(n).isCloseTo(Math.min(rawNorm, clip), within(1e-4 * clip));
        double scale = Math.min(1, clip / rawNorm);
        for (int x = 0; x < raw.length; x++) {
          assertThat((double) clipping.sum()[x]).isCloseTo(raw[x] * scale, within(1e-7 + 1e-5 * Math.abs(raw[x] * scale)));
        }
        assertThat(norm(net.params().grads())).as("the scratch gradient is cleared").isZero();
        clipped += rawNorm > clip ? 1 : 0;
      }
    }
    assertThat(clipped).as("the small bound clips, the large one does not").isEqualTo(15);
  }

  @Test
  void withoutNoiseAndWithAHugeBoundTheDpGradientIsThePlainBatchGradient() {
    SplittableRandom random = new SplittableRandom(5);
    List<SasrecSteps.Window> windows = users(4, 5, random);
    SasrecNetwork plain = network(1);
    SasrecNetwork privateNet = network(1);
    try (SasrecSteps a = new SasrecSteps(plain, config(), 4, 0, null, ITEMS);
        SasrecSteps b = new SasrecSteps(privateNet, config(), 1, 0, null, ITEMS)) {
      a.gradients(windows, 0, 4, 0);
      PerExampleClipping clipping = new PerExampleClipping(privateNet.params(), 1e9f);
      for (int u = 0; u < 4; u++) {
        b.gradients(windows, u, u + 1, 100 + u);
        clipping.addExample();
      }
      clipping.noisyGradient(0f, 4, random);
      float[] g = plain.params().grads();
      float[] d = privateNet.params().grads();
      assertThat(norm(g)).isPositive();
      for (int x = 0; x < g.length; x++) {
        assertThat(d[x]).as("gradient %d", x).isCloseTo(g[x], within(1e-6f + 1e-4f * Math.abs(g[x])));
      }
    }
  }

  @Test
  void theReportedEpsilonIsPerUserAndTheAccountantsAndSurvivesACheckpoint() throws Exception {
    Dataset data = Fixtures.implicitCheckerboard(4);
    ObjectNode overrides = new ObjectMapper().createObjectNode().put("factors", 8).put("blocks", 1).put("heads", 1)
        .put("maxLength", 20).put("epochs", 2).put("negatives", 32).put("dropout", 0.1);
    overrides.set("dp", new ObjectMapper().readTree("{\"targetEpsilon\": 8, \"batchSize\": 16}"));
    SasrecModel model = (SasrecModel) Algorithms.trainer("sasrec", overrides).fit(data);
    PrivacyReport r = model.privacy();
    assertThat(r).isNotNull();
    assertThat(r.unit()).isEqualTo(PrivacyReport.USER_UNIT);
    assertThat(r.examples()).isEqualTo(Fixtures.USERS);
    assertThat(r.steps()).isEqualTo(2L * (long) Math.ceil(Fixtures.USERS / 16.0));
    assertThat(r.epsilon()).isLessThanOrEqualTo(8.0).isGreaterThan(7.9);
    assertThat(r.epsilon()).isCloseTo(RdpAccountant.epsilon(r.samplingRate(), r.noiseMultiplier(), r.steps(), 1e-5)
        .epsilon(), within(1e-9));
    assertThat(ModelHealth.check(model, 1000f).healthy()).isTrue();
    SasrecModel restored = SasrecModel.restore(model.state());
    assertThat(restored.privacy().unit()).isEqualTo(PrivacyReport.USER_UNIT);
    assertThat(restored.privacy().epsilon()).isCloseTo(r.epsilon(), within(1e-5));
  }

  @Test
  void windowsAreGroupedIntoOneExamplePerUser() {
    int[] seq = new int[30];
    List<SasrecSteps.Window> windows = List.of(new SasrecSteps.Window(0, seq, 19, 29),
        new SasrecSteps.Window(0, seq, 9, 19), new SasrecSteps.Window(2, seq, 0, 5), new SasrecSteps.Window(3, seq, 0, 4),
        new SasrecSteps.Window(3, seq, 4, 8));
    List<List<SasrecSteps.Window>> users = DpSasrecTraining.byUser(windows);
    assertThat(users).hasSize(3);
    assertThat(users.get(0)).hasSize(2).allMatch(w -> w.user() == 0);
    assertThat(users.get(1)).hasSize(1);
    assertThat(users.get(2)).hasSize(2).allMatch(w -> w.user() == 3);
  }

  private static double norm(float[] a) {
    double s = 0;
    for (float v : a) {
      s += (double) v * v;
    }
    return Math.sqrt(s);
  }
}
