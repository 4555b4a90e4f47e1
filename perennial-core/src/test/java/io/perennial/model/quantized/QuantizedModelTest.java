package io.perennial.model.quantized;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Fixtures;
import io.perennial.model.ModelState;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.UserHistory;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizedModelTest {

  @TempDir Path dir;

  private static final Dataset WORLD = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(30_000));

  private static FactorModel ials(int factors) {
    return (FactorModel) Algorithms.trainer("ials",
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("factors", factors)
            .put("iterations", 4)).fit(WORLD);
  }

  @Test
  void scoresStayWithinTheQuantisationBoundAndTopTenMostlyAgrees() {
    FactorModel fp32 = ials(64);
    QuantizedModel int8 = QuantizedModel.of(fp32);
    int k = fp32.factors();
    double overlap = 0;
    int users = Math.min(200, fp32.userCount());
    for (int u = 0; u < users; u++) {
      float[] row = Arrays.copyOfRange(fp32.userFactors(), u * k, (u + 1) * k);
      for (int i = 0; i < fp32.itemCount(); i += 7) {
        float[] item = Arrays.copyOfRange(fp32.itemFactors(), i * k, (i + 1) * k);
        double bound = 0;
        for (int d = 0; d < k; d++) {
          bound += Math.abs(row[d]) * int8.itemTable().maxRoundTripError(i)
              + Math.abs(item[d]) * int8.userTable().maxRoundTripError(u)
              + int8.userTable().maxRoundTripError(u) * int8.itemTable().maxRoundTripError(i);
        }
        assertThat((double) Math.abs(int8.score(u, i) - fp32.score(u, i))).isLessThanOrEqualTo(bound + 1e-5);
      }
      Recommendations a = fp32.recommend(u, 10, true, null);
      Recommendations b = int8.recommend(u, 10, true, null);
      overlap += Arrays.stream(b.ids()).filter(id -> Arrays.stream(a.ids()).anyMatch(x -> x == id)).count() / 10.0;
    }
    assertThat(overlap / users).as("mean top-10 overlap").isGreaterThan(0.9);
  }

  @Test
  void checkpointIsUnderAThirdOfTheFloatOneAndRestoresTheSameScores() throws Exception {
    FactorModel fp32 = ials(64);
    QuantizedModel int8 = QuantizedModel.of(fp32);
    Path full = dir.resolve("fp32.pmdl");
    Path small = dir.resolve("int8.pmdl");
    Provenance p = Provenance.ofTraining(1, "synthetic", WORLD);
    new Checkpoint(fp32.state(), WORLD.users(), WORLD.items(), p).write(full);
    new Checkpoint(int8.state(), WORLD.users(), WORLD.items(), p).write(small);
    double ratio = (double) Files.size(small) / Files.size(full);
    assertThat(ratio).as("int8 / fp32 file size").isLessThanOrEqualTo(0.30);

    Recommender back = Algorithms.restore(Checkpoint.read(small).state());
    assertThat(back).isInstanceOf(QuantizedModel.class);
    for (int u = 0; u < 50; u++) {
      assertThat(back.recommend(u, 10, true, null).ids()).containsExactly(int8.recommend(u, 10, true, null).ids());
      assertThat(back.score(u, 3)).isEqualTo(int8.score(u, 3));
      assertThat(((QuantizedModel) back).history().items(u)).containsExactly(fp32.history().items(u));
    }
  }

  @Test
  void compactHistoryRoundTripsRatingsAndImplicitValues() {
    for (Dataset data : new Dataset[] {Fixtures.explicitCheckerboard(3), Fixtures.implicitCheckerboard(3)}) {
      UserHistory h = UserHistory.of(data.byUser());
      ModelState s = new ModelState("x", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
      h.saveCompactTo(s, "history");
      UserHistory back = UserHistory.loadFrom(s, "history");
      for (int u = 0; u < h.users(); u++) {
        assertThat(back.items(u)).containsExactly(h.items(u));
        assertThat(back.values(u)).containsExactly(h.values(u));
      }
    }
    // a many-valued history falls back to floats, still exact
    UserHistory wide = new UserHistory(2);
    for (int i = 0; i < 600; i++) {
      wide.add(i % 2, i * 300, i * 0.01f);
    }
    ModelState s = new ModelState("x", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
    wide.saveCompactTo(s, "h");
    assertThat(s.floats()).containsKey("h.values");
    UserHistory back = UserHistory.loadFrom(s, "h");
    assertThat(back.items(1)).containsExactly(wide.items(1));
    assertThat(back.values(0)).containsExactly(wide.values(0));
  }

  @Test
  void fp16TablesScoreWithinTheirBoundAndTheCheckpointRestoresTheSameScores() throws Exception {
    FactorModel fp32 = ials(64);
    QuantizedModel fp16 = QuantizedModel.of(fp32, Quantization.FP16);
    assertThat(fp16.type()).isEqualTo(QuantizedModel.TYPE_FP16);
    assertThat(fp16.quantization()).isEqualTo(Quantization.FP16);
    assertThat(fp16.tableBytes()).isEqualTo(2L * 64 * (fp32.userCount() + fp32.itemCount()));
    int k = fp32.factors();
    double overlap = 0;
    int users = Math.min(100, fp32.userCount());
    for (int u = 0; u < users; u++) {
      float[] row = Arrays.copyOfRange(fp32.userFactors(), u * k, (u + 1) * k);
      for (int i = 0; i < fp32.itemCount(); i += 11) {
        float[] item = Arrays.copyOfRange(fp32.itemFactors(), i * k, (i + 1) * k);
        double bound = 0;
        for (int d = 0; d < k; d++) {
          bound += Math.abs(row[d]) * fp16.itemTable().maxRoundTripError(i)
              + Math.abs(item[d]) * fp16.userTable().maxRoundTripError(u)
              + fp16.userTable().maxRoundTripError(u) * fp16.itemTable().maxRoundTripError(i);
        }
        assertThat((double) Math.abs(fp16.score(u, i) - fp32.score(u, i))).isLessThanOrEqualTo(bound + 1e-5);
      }
      Recommendations a = fp32.recommend(u, 10, true, null);
      Recommendations b = fp16.recommend(u, 10, true, null);
      overlap += Arrays.stream(b.ids()).filter(id -> Arrays.stream(a.ids()).anyMatch(x -> x == id)).count() / 10.0;
    }
    assertThat(overlap / users).as("mean top-10 overlap with fp32").isGreaterThan(0.97);

    Provenance p = Provenance.ofTraining(1, "synthetic", WORLD);
    Path full = dir.resolve("fp32.pmdl");
    Path half = dir.resolve("fp16.pmdl");
    Path int8 = dir.resolve("int8.pmdl");
    new Checkpoint(fp32.state(), WORLD.users(), WORLD.items(), p).write(full);
    new Checkpoint(fp16.state(), WORLD.users(), WORLD.items(), p).write(half);
    new Checkpoint(QuantizedModel.of(fp32).state(), WORLD.users(), WORLD.items(), p).write(int8);
    assertThat(Files.size(half)).isLessThan(Files.size(full) * 6 / 10).isGreaterThan(Files.size(int8));
    Recommender back = Algorithms.restore(Checkpoint.read(half).state());
    assertThat(back.type()).isEqualTo("fp16");
    for (int u = 0; u < 50; u++) {
      assertThat(back.recommend(u, 10, true, null).ids()).containsExactly(fp16.recommend(u, 10, true, null).ids());
      assertThat(Float.floatToIntBits(back.score(u, 3))).isEqualTo(Float.floatToIntBits(fp16.score(u, 3)));
    }
    // an int8 model asked for fp16 is re-coded from its decoded tables, and back
    QuantizedModel recoded = QuantizedModel.of(QuantizedModel.of(fp32), Quantization.FP16);
    assertThat(recoded.quantization()).isEqualTo(Quantization.FP16);
    assertThat(QuantizedModel.of(fp16, Quantization.FP16)).isSameAs(fp16);
  }

  @Test
  void onlyFactorModelsCanBeQuantised() {
    Recommender pop = Algorithms.trainer("pop", null).fit(WORLD);
    assertThatThrownBy(() -> QuantizedModel.of(pop)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("factor model");
  }

  @Test
  void ratingModelsKeepTheirClip() {
    Dataset ratings = Fixtures.explicitCheckerboard(2);
    Recommender mf = Algorithms.trainer("mf", null).fit(ratings);
    QuantizedModel int8 = QuantizedModel.of(mf);
    for (int u = 0; u < 20; u++) {
      for (int i = 0; i < 20; i++) {
        assertThat(int8.score(u, i)).isBetween(1f, 5f).isCloseTo(mf.score(u, i), within(0.1f));
      }
    }
  }
}
