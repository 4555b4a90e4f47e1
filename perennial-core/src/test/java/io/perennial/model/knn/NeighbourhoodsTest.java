package io.perennial.model.knn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import io.perennial.model.TrainingOptions;
import io.perennial.model.Update;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Item-kNN similarities against their definition on ratings whose products sum to 0, which the
 * co-occurrence pass once took for "item not met yet" (an ArrayIndexOutOfBoundsException).
 */
class NeighbourhoodsTest {

  private static final int USERS = 40;
  private static final int ITEMS = 30;
  private static final float SHRINKAGE = 2f;

  /** The reproduction: 3,000 random rows valued 0 or 1. */
  @Test
  void zeroRatingsGiveTheExactCosineNeighbours() {
    float[][] r = randomRatings(new SplittableRandom(19), 3_000, new float[] {0f, 1f});
    assertMatchesCosine(r, train(r));
  }

  /** Products of +1 and −1 that cancel must not make an item count as unseen either. */
  @Test
  void cancellingProductsGiveTheExactCosineNeighbours() {
    float[][] r = randomRatings(new SplittableRandom(7), 3_000, new float[] {-1f, 1f});
    assertMatchesCosine(r, train(r));
  }

  @Test
  void partialFitWithZeroRatingsGivesTheExactCosineNeighbours() {
    SplittableRandom random = new SplittableRandom(3);
    float[][] r = randomRatings(random, 600, new float[] {0f, 1f});
    ItemKnnModel model = train(r);
    InteractionLog more = new InteractionLog();
    for (int u = 0; u < USERS; u++) {
      for (int i = 0; i < ITEMS; i++) {
        if (Float.isNaN(r[u][i]) && random.nextInt(3) == 0) {
          r[u][i] = random.nextBoolean() ? 0f : 1f;
          more.add(u, i, r[u][i], 10_000L + more.size(), InteractionType.RATING);
        }
      }
    }
    model.partialFit(Update.of(more, USERS, ITEMS));
    assertMatchesCosine(r, model);
  }

  /** A user × item table of {@code rows} random draws; NaN marks a cell never rated. */
  private static float[][] randomRatings(SplittableRandom random, int rows, float[] values) {
    float[][] r = new float[USERS][ITEMS];
    for (float[] row : r) {
      Arrays.fill(row, Float.NaN);
    }
    for (int n = 0; n < rows; n++) {
      r[random.nextInt(USERS)][random.nextInt(ITEMS)] = values[random.nextInt(values.length)];
    }
    return r;
  }

  private static ItemKnnModel train(float[][] r) {
    InteractionLog log = new InteractionLog();
    for (int u = 0; u < USERS; u++) {
      for (int i = 0; i < ITEMS; i++) {
        if (!Float.isNaN(r[u][i])) {
          log.add(u, i, r[u][i], log.size(), InteractionType.RATING);
        }
      }
    }
    IdIndex users = new IdIndex();
    for (int u = 0; u < USERS; u++) {
      users.getOrAdd("u" + u);
    }
    IdIndex items = new IdIndex();
    for (int i = 0; i < ITEMS; i++) {
      items.getOrAdd("i" + i);
    }
    Dataset data = new Dataset(users, items, log,
        new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
    // More neighbours than items: every positive similarity is kept, so whole lists can be checked.
    return new ItemKnnTrainer(new ItemKnnConfig(ITEMS + 5, SHRINKAGE, 2)).fit(data, TrainingOptions.silent());
  }

  private static float value(float[][] r, int u, int i) {
    return Float.isNaN(r[u][i]) ? 0f : r[u][i];
  }

  private static void assertMatchesCosine(float[][] r, ItemKnnModel model) {
    double[] norms = new double[ITEMS];
    for (int i = 0; i < ITEMS; i++) {
      for (int u = 0; u < USERS; u++) {
        norms[i] += value(r, u, i) * value(r, u, i);
      }
      norms[i] = Math.sqrt(norms[i]);
    }
    int positive = 0;
    for (int i = 0; i < ITEMS; i++) {
      for (int j = 0; j < ITEMS; j++) {
        double dot = 0;
        for (int u = 0; u < USERS; u++) {
          dot += value(r, u, i) * value(r, u, j);
        }
        double sim = i == j ? 0 : dot / (norms[i] * norms[j] + SHRINKAGE);
        double expected = Math.max(sim, 0);
        positive += expected > 0 ? 1 : 0;
        assertThat(model.similarity(i, j)).as("sim(%d, %d)", i, j)
            .isCloseTo((float) expected, within(1e-5f));
      }
    }
    assertThat(positive).as("pairs with a positive similarity").isGreaterThan(ITEMS);
  }
}
