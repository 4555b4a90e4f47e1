package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.search.AnnSearch;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Items whose vector is zero (never learned, or retired) are one point of the graph's space; many
 * copies of it broke the graph, so they are kept out of it and proposed by their bias instead.
 */
class ZeroVectorSearchTest {

  @Test
  void iAlsWithATenthOfItsItemsAtZeroIsSearchedAsWellAsBpr() throws Exception {
    Dataset data = SyntheticGenerator.generate(SyntheticConfig.defaults().withSize(1000, 3000).withEvents(30_000).withSeed(42));
    FactorModel model = (FactorModel) Algorithms.trainer("ials", Algorithms.servingDefaults("ials")).fit(data);
    int f = model.factors();
    int zero = 0;
    for (int item = 0; item < model.itemCount(); item++) {
      boolean allZero = true;
      for (int d = 0; d < f; d++) {
        allZero &= model.itemFactors()[item * f + d] == 0;
      }
      zero += allZero ? 1 : 0;
    }
    assertThat(zero).as("items iALS solved to zero").isGreaterThan(model.itemCount() / 20);
    try (AnnSearch search = new AnnSearch(AnnSearch.Settings.defaults().withExactBelow(0))) {
      search.refresh(new ServedModel(1, model));
      int hits = 0;
      int total = 0;
      for (int user = 0; user < 300; user++) {
        int[] exact = model.recommend(user, 10, true, null).ids();
        int[] got = search.recommend(model, user, 10, true, null).ids().clone();
        Arrays.sort(got);
        for (int item : exact) {
          hits += Arrays.binarySearch(got, item) >= 0 ? 1 : 0;
        }
        total += exact.length;
      }
      // With those items in the graph: 0.08.
      assertThat((double) hits / total).isGreaterThan(0.85);
    }
  }

  @Test
  void aZeroVectorItemIsProposedByItsBiasAndJoinsTheGraphOnceItHasAVector() {
    ProxyRetrievalModel model = new ProxyRetrievalModel(200, 3000, 16, 0f, 1, 0, 11);
    float[] zero = new float[16];
    for (int item = 0; item < 3000; item += 5) {
      model.setItem(item, zero, 0f);
    }
    // Zero vector, but a bias that puts it above every item for every user.
    model.setItem(5, zero, 100f);
    ServedModel served = new ServedModel(1, model);
    try (AnnSearch search = new AnnSearch(AnnSearch.Settings.defaults().withExactBelow(0))) {
      search.refresh(served);
      for (int user = 0; user < 200; user++) {
        if (!model.history().contains(user, 5)) {
          assertThat(search.recommend(model, user, 10, true, null).ids()[0]).isEqualTo(5);
        }
      }
      // Item 2995 learns a vector: user 3's own direction, far longer than any other item. (Still
      // at zero, it would be the last of the zero items by bias, never proposed.)
      float[] toward = model.userVector(3);
      for (int d = 0; d < toward.length; d++) {
        toward[d] *= 20;
      }
      model.setItem(2995, toward, 0f);
      search.refresh(served);
      assertThat(model.recommend(3, 10, true, null).ids()).startsWith(5, 2995);
      // second only to item 5's bias
      assertThat(search.recommend(model, 3, 10, true, null).ids()).startsWith(5, 2995);
    }
  }
}
