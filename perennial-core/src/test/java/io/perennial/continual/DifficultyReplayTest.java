package io.perennial.continual;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import org.junit.jupiter.api.Test;

/** Replay weighted by difficulty: the events a model gets wrong are replayed more (issue 16). */
class DifficultyReplayTest {

  @Test
  void replaysEventsInProportionToTheirDifficulty() {
    ReplayBuffer buffer = new ReplayBuffer(100, 9);
    InteractionLog events = new InteractionLog();
    for (int i = 0; i < 4; i++) {
      events.add(i, i, 1f, i, InteractionType.VIEW);
    }
    buffer.offerAll(events);
    InteractionLog out = new InteractionLog();
    // item 3 three times as hard as item 1, item 2 negative and item 0 NaN (both weigh 0)
    buffer.sampleWeightedInto(out, 40_000, (u, i) -> i == 3 ? 3 : i == 1 ? 1 : i == 2 ? -5 : Double.NaN);
    int[] counts = new int[4];
    for (int e = 0; e < out.size(); e++) {
      counts[out.item(e)]++;
    }
    assertThat(counts[0]).isZero();
    assertThat(counts[2]).isZero();
    assertThat(counts[1] + counts[3]).isEqualTo(40_000);
    assertThat((double) counts[3] / counts[1]).isBetween(2.8, 3.2);
    // all zero: uniform
    InteractionLog uniform = new InteractionLog();
    buffer.sampleWeightedInto(uniform, 4_000, (u, i) -> 0);
    int[] u = new int[4];
    for (int e = 0; e < uniform.size(); e++) {
      u[uniform.item(e)]++;
    }
    for (int c : u) {
      assertThat(c).isBetween(850, 1150);
    }
  }

  @Test
  void theLiveModelsLossIsTheDifficulty() {
    // popularity: its least popular item is hard for every user, its most popular easy
    io.perennial.model.Recommender model = io.perennial.model.Algorithms.trainer("pop", null)
        .fit(io.perennial.model.Fixtures.implicitCheckerboard(1), io.perennial.model.TrainingOptions.silent());
    int items = io.perennial.model.Fixtures.ITEMS;
    int best = 0;
    int worst = 0;
    for (int i = 0; i < items; i++) {
      if (model.score(0, i) > model.score(0, best)) {
        best = i;
      }
      if (model.score(0, i) < model.score(0, worst)) {
        worst = i;
      }
    }
    assertThat(Strategies.Incremental.replayDifficulty(model, 0, worst, items, 42))
        .isGreaterThan(Strategies.Incremental.replayDifficulty(model, 0, best, items, 42));
    assertThat(Strategies.Incremental.replayDifficulty(model, 0, best, items, 42))
        .isEqualTo(Strategies.Incremental.replayDifficulty(model, 0, best, items, 42));
  }
}
