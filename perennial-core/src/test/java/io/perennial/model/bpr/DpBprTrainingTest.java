package io.perennial.model.bpr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.model.ModelHealth;
import io.perennial.privacy.PrivacyReport;
import io.perennial.privacy.RdpAccountant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DP-SGD for BPR: per-example clipping, the reported ε, and that the noise costs accuracy. */
class DpBprTrainingTest {

  @Test
  void everyExamplesGradientIsClippedToTheBoundOverAllTheParametersItTouches() {
    SplittableRandom random = new SplittableRandom(3);
    int k = 8;
    int users = 5;
    int items = 6;
    for (int trial = 0; trial < 200; trial++) {
      float scale = trial % 2 == 0 ? 5f : 0.01f;
      float[] p = table(users * k, scale, random);
      float[] q = table(items * k, scale, random);
      float[] b = table(items, scale, random);
      float[] accP = new float[users * k];
      float[] accQ = new float[items * k];
      float[] accB = new float[items];
      int u = random.nextInt(users);
      int i = random.nextInt(items);
      int j = (i + 1 + random.nextInt(items - 1)) % items;
      float clip = 0.5f;
      DpBprTraining.accumulateClipped(p, q, b, u, i, j, k, clip, accP, accQ, accB);
      double norm = Math.sqrt(sumSquares(accP) + sumSquares(accQ) + sumSquares(accB));
      // the unclipped gradient, computed here from its definition
      double x = b[i] - b[j];
      for (int d = 0; d < k; d++) {
        x += p[u * k + d] * (q[i * k + d] - q[j * k + d]);
      }
      double g = 1 / (1 + Math.exp(x));
      double raw = 2 * g * g;
      for (int d = 0; d < k; d++) {
        double diff = q[i * k + d] - q[j * k + d];
        raw += g * g * (diff * diff + 2 * p[u * k + d] * p[u * k + d]);
      }
      raw = Math.sqrt(raw);
      assertThat(norm).as("trial %d", trial).isLessThanOrEqualTo(clip * (1 + 1e-5));
      assertThat(norm).as("a small gradient is left as it is").isCloseTo(Math.min(raw, clip), within(1e-4 * clip));
      assertThat(accB[i]).isCloseTo(-accB[j], within(1e-7f));
    }
  }

  @Test
  void poissonSamplingTakesEachExampleWithTheRate() {
    SplittableRandom random = new SplittableRandom(9);
    int n = 100_000;
    long taken = 0;
    for (int step = 0; step < 20; step++) {
      for (int e = DpBprTraining.nextSampled(-1, 0.01, n, random); e < n; e = DpBprTraining.nextSampled(e, 0.01, n, random)) {
        taken++;
      }
    }
    // 20 000 expected, standard deviation about 141
    assertThat(taken).isBetween(19_400L, 20_600L);
  }

  @Test
  void theReportedEpsilonIsTheAccountantsForTheStepsTakenAndTheTargetIsMet() {
    Dataset data = Fixtures.implicitCheckerboard(4);
    BprModel model = train(data, "{\"targetEpsilon\": 4, \"batchSize\": 128}", 10);
    PrivacyReport r = model.privacy();
    assertThat(r).isNotNull();
    assertThat(r.epsilon()).isLessThanOrEqualTo(4.0).isGreaterThan(3.9);
    assertThat(r.steps()).isEqualTo(10L * (long) Math.ceil(r.examples() / 128.0));
    assertThat(r.epsilon()).isCloseTo(RdpAccountant.epsilon(r.samplingRate(), r.noiseMultiplier(), r.steps(), 1e-5)
        .epsilon(), within(1e-9));
    assertThat(ModelHealth.check(model, 1000f).healthy()).isTrue();
    BprModel restored = BprModel.restore(model.state());
    assertThat(restored.privacy().epsilon()).isCloseTo(r.epsilon(), within(1e-5));
    assertThat(train(data, null, 10).privacy()).isNull();
  }

  @Test
  void moreNoiseCostsAccuracy() {
    Dataset data = Fixtures.implicitCheckerboard(4);
    double quiet = Fixtures.checkerboardAuc(train(data, "{\"noiseMultiplier\": 0.05, \"batchSize\": 256}", 30));
    double loud = Fixtures.checkerboardAuc(train(data, "{\"noiseMultiplier\": 50, \"batchSize\": 256}", 30));
    assertThat(quiet).as("little noise learns the blocks").isGreaterThan(0.8);
    assertThat(loud).isLessThan(quiet - 0.1);
  }


  private static BprModel train(Dataset data, String dp, int epochs) {
    try {
      ObjectMapper json = new ObjectMapper();
      ObjectNode overrides = json.createObjectNode();
      overrides.put("epochs", epochs);
      overrides.put("factors", 8);
      if (dp != null) {
        overrides.set("dp", json.readTree(dp));
      }
      return (BprModel) Algorithms.trainer("bpr", overrides).fit(data);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static float[] table(int n, float scale, SplittableRandom random) {
    float[] t = new float[n];
    for (int x = 0; x < n; x++) {
      t[x] = (float) (random.nextGaussian() * scale);
    }
    return t;
  }

  private static double sumSquares(float[] a) {
    double s = 0;
    for (float v : a) {
      s += (double) v * v;
    }
    return s;
  }
}
