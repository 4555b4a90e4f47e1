package io.perennial.model.ials;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.kernel.VectorOps;
import io.perennial.model.EpochReport;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class IalsLossTest {

  private static final Dataset DATA = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(8_000));

  private static IalsConfig config(int iterations) {
    IalsConfig d = IalsConfig.defaults();
    return new IalsConfig(16, iterations, d.regularization(), d.alpha(), d.cgSteps(), d.initScale(), 2, 7L,
        d.onlineCgSteps(), d.gramRefreshEvents(), 1f);
  }

  /** The loss as it was computed inside every iteration before it became optional: one row at a time. */
  private static double referenceLoss(IalsModel m, UserHistory history, IalsConfig config) {
    int k = m.factors();
    float[] p = m.userFactors();
    float[] q = m.itemFactors();
    float[] userGram = AlsSolver.gram(p, m.userCount(), k);
    double total = 0;
    float[] tmp = new float[k];
    for (int i = 0; i < m.itemCount(); i++) {
      for (int a = 0; a < k; a++) {
        tmp[a] = VectorOps.dot(userGram, a * k, q, i * k, k);
      }
      total += VectorOps.dot(tmp, 0, q, i * k, k);
    }
    long observed = 0;
    for (int u = 0; u < m.userCount(); u++) {
      int[] cols = history.items(u);
      float[] vals = history.values(u);
      for (int n = 0; n < cols.length; n++) {
        double x = VectorOps.dot(p, u * k, q, cols[n] * k, k);
        double c = 1 + config.alpha() * vals[n];
        total += c * (1 - x) * (1 - x) - x * x;
        observed++;
      }
    }
    total += config.regularization() * (VectorOps.dot(p, p) + VectorOps.dot(q, q));
    return total / Math.max(1, observed);
  }

  @Test
  void theLossComputedOnRequestEqualsTheRowByRowLoss() {
    List<EpochReport> reports = new ArrayList<>();
    IalsModel model = new IalsTrainer(config(3)).fit(DATA, TrainingOptions.of((m, r) -> reports.add(r)).withLossEvery(1));
    assertThat(reports).hasSize(3);
    double reference = referenceLoss(model, model.history(), config(3));
    assertThat(reports.get(2).loss()).isCloseTo(reference, Offset.offset(1e-4 * Math.abs(reference)));
    assertThat(reports.get(0).loss()).as("the loss falls").isGreaterThan(reports.get(2).loss());
  }

  @Test
  void theLossIsSkippedUnlessAskedAndTheModelIsTheSame() {
    List<EpochReport> silent = new ArrayList<>();
    IalsModel without = new IalsTrainer(config(4)).fit(DATA, TrainingOptions.of((m, r) -> silent.add(r)));
    assertThat(silent).extracting(EpochReport::loss).allMatch(l -> Double.isNaN(l));
    List<EpochReport> everySecond = new ArrayList<>();
    IalsModel with = new IalsTrainer(config(4)).fit(DATA, TrainingOptions.of((m, r) -> everySecond.add(r)).withLossEvery(2));
    assertThat(everySecond.get(0).loss()).isNaN();
    assertThat(everySecond.get(1).loss()).isFinite();
    assertThat(everySecond.get(3).loss()).isFinite();
    assertThat(with.userFactors()).containsExactly(without.userFactors());
  }

  @Test
  void phaseTimesCoverEveryIterationOfTheLastFit() {
    IalsTrainer quiet = new IalsTrainer(config(4));
    quiet.fit(DATA, TrainingOptions.silent());
    IalsTrainer.PhaseTimes phases = quiet.phaseTimes();
    assertThat(phases.iterations()).isEqualTo(4);
    double[] cpu = phases.cpuSeconds();
    double[] wall = phases.wallSeconds();
    assertThat(cpu).hasSize(IalsTrainer.PhaseTimes.NAMES.size());
    int userHalf = IalsTrainer.PhaseTimes.NAMES.indexOf("user_half_step");
    int itemHalf = IalsTrainer.PhaseTimes.NAMES.indexOf("item_half_step");
    assertThat(cpu[userHalf]).isPositive();
    assertThat(wall[itemHalf]).isPositive();
    for (double c : cpu) {
      assertThat(c).isGreaterThanOrEqualTo(0);
    }

    // a second fit starts its own count
    quiet.fit(DATA, TrainingOptions.silent());
    assertThat(quiet.phaseTimes().iterations()).isEqualTo(4);
  }
}
