package io.perennial.model.mf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Fixtures;
import io.perennial.privacy.PrivacyReport;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DP-SGD for MF: per-example clipping, the public rating scale, the reported ε. */
class DpMfTrainingTest {

  private static final String SCALE = "\"ratingMin\": 0.5, \"ratingMax\": 5";

  @Test
  void everyRatingsGradientIsClippedToTheBound() {
    MfModel m = train(Fixtures.explicitCheckerboard(2), "{\"noiseMultiplier\": 1, " + SCALE + "}", 1);
    SplittableRandom random = new SplittableRandom(4);
    for (int trial = 0; trial < 200; trial++) {
      float scale = trial % 2 == 0 ? 3f : 0.01f;
      for (int x = 0; x < m.userFactors().length; x++) {
        m.userFactors()[x] = (float) random.nextGaussian() * scale;
      }
      for (int x = 0; x < m.itemFactors().length; x++) {
        m.itemFactors()[x] = (float) random.nextGaussian() * scale;
      }
      float[] accP = new float[m.userFactors().length];
      float[] accQ = new float[m.itemFactors().length];
      float[] accBu = new float[m.userCount()];
      float[] accBi = new float[m.itemCount()];
      int u = random.nextInt(m.userCount());
      int i = random.nextInt(m.itemCount());
      float clip = 0.3f;
      DpMfTraining.accumulateClipped(m, u, i, 0.5f + 4.5f * (float) random.nextDouble(), clip, accP, accQ, accBu, accBi);
      double norm = Math.sqrt(squares(accP) + squares(accQ) + squares(accBu) + squares(accBi));
      assertThat(norm).as("trial %d", trial).isLessThanOrEqualTo(clip * (1 + 1e-5));
      assertThat(accBu[u]).isEqualTo(accBi[i]);
    }
  }

  @Test
  void theScaleIsThePublicOneAndTheReportTheAccountants() {
    MfModel m = train(Fixtures.explicitCheckerboard(2), "{\"targetEpsilon\": 3, \"batchSize\": 256, " + SCALE + "}", 5);
    assertThat(m.globalBias()).as("the public scale's centre, not the data's mean").isEqualTo(2.75f);
    assertThat(m.ratingSpread()).isEqualTo(1.125f);
    PrivacyReport r = m.privacy();
    assertThat(r.epsilon()).isLessThanOrEqualTo(3).isGreaterThan(2.9);
    assertThat(MfModel.restore(m.state()).privacy().epsilon()).isCloseTo(r.epsilon(), within(1e-5));
    assertThatThrownBy(() -> train(Fixtures.explicitCheckerboard(2), "{\"targetEpsilon\": 3}", 1))
        .hasStackTraceContaining("dp for mf needs dp.ratingMin and dp.ratingMax");
  }

  @Test
  void moreNoiseCostsAccuracy() {
    Dataset data = Fixtures.explicitCheckerboard(2);
    double quiet = rmse(train(data, "{\"noiseMultiplier\": 0.01, \"batchSize\": 128, " + SCALE + "}", 40), data);
    double loud = rmse(train(data, "{\"noiseMultiplier\": 30, \"batchSize\": 128, " + SCALE + "}", 40), data);
    assertThat(quiet).isLessThan(loud - 0.2);
  }

  private static double rmse(MfModel m, Dataset data) {
    double s = 0;
    for (int e = 0; e < data.log().size(); e++) {
      double d = m.score(data.log().user(e), data.log().item(e)) - data.log().value(e);
      s += d * d;
    }
    return Math.sqrt(s / data.log().size());
  }

  private static MfModel train(Dataset data, String dp, int epochs) {
    try {
      ObjectMapper json = new ObjectMapper();
      ObjectNode overrides = json.createObjectNode();
      overrides.put("epochs", epochs);
      overrides.put("factors", 8);
      overrides.set("dp", json.readTree(dp));
      return (MfModel) Algorithms.trainer("mf", overrides).fit(data);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static double squares(float[] a) {
    double s = 0;
    for (float v : a) {
      s += (double) v * v;
    }
    return s;
  }
}
