package io.perennial.model.neumf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.kernel.TopK;
import io.perennial.model.Algorithms;
import io.perennial.model.ModelHealth;
import io.perennial.model.ModelState;
import io.perennial.model.Recommender;
import io.perennial.model.Stability;
import io.perennial.model.Update;
import io.perennial.model.UserQuery;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What NeuMF adds beyond the shared contract: two-stage retrieval, updates, fold-in, checkpoints, budgets. */
class NeumfModelTest {

  private static Dataset data;
  private static NeumfModel model;

  private static ObjectNode small() {
    return new ObjectMapper().createObjectNode().put("gmfFactors", 16).put("mlpFactors", 8).put("epochs", 8)
        .put("batchSize", 128).put("learningRate", 0.005f);
  }

  @BeforeAll
  static void train() {
    data = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(20_000).withSize(300, 1_000).withSeed(3));
    model = (NeumfModel) Algorithms.trainer("neumf", small()).fit(data);
  }

  /** Top-C by the GMF dot product, re-ranked by the full network, against the exact top-10 (on average). */
  @Test
  void retrievalAndReRankFindTheExactTopKForMostUsers() {
    int k = 10;
    int candidates = model.retrievalCandidates(k);
    assertThat(candidates).isEqualTo(100);
    float[] query = new float[model.retrievalDims()];
    float[] items = model.retrievalItemVectors();
    int dims = model.retrievalDims();
    double found = 0;
    int users = 0;
    for (int u = 0; u < model.userCount(); u++) {
      if (!model.retrievalQuery(u, query)) {
        continue;
      }
      int[] seen = model.history().items(u);
      TopK first = new TopK(candidates);
      for (int i = 0; i < model.itemCount(); i++) {
        if (Arrays.binarySearch(seen, i) < 0) {
          float dot = 0;
          for (int d = 0; d < dims; d++) {
            dot += query[d] * items[i * dims + d];
          }
          first.offer(i, dot);
        }
      }
      int[] ids = new int[first.size()];
      first.drainTo(ids, new float[first.size()]);
      TopK second = new TopK(k);
      for (int i : ids) {
        second.offer(i, model.score(u, i));
      }
      int[] reRanked = new int[second.size()];
      second.drainTo(reRanked, new float[second.size()]);
      int[] exact = model.recommend(u, k, true, null).ids();
      found += Arrays.stream(exact).filter(i -> Arrays.stream(reRanked).anyMatch(j -> j == i)).count() / (double) k;
      users++;
    }
    double recall = found / users;
    System.out.printf("NeuMF two-stage recall@10 with %d GMF candidates of %d items: %.3f over %d users%n",
        candidates, model.itemCount(), recall, users);
    assertThat(users).isGreaterThan(200);
    // measured 0.76 (10% of the catalogue as candidates); a random 10% would find 0.1
    assertThat(recall).isGreaterThan(0.7);
  }

  @Test
  void retrievalQueryIsTheGmfPartOfTheScore() {
    // score = q · v_i + (MLP part + bias): the GMF item row enters only through the query's dot product
    NeumfNetwork net = model.network();
    float[] query = new float[model.retrievalDims()];
    assertThat(model.retrievalQuery(5, query)).isTrue();
    assertThat(model.retrievalQuery(-1, query)).isFalse();
    assertThat(model.retrievalQuery(model.userCount(), query)).isFalse();
    Recommender copy = Algorithms.copy(model);
    NeumfModel other = (NeumfModel) copy;
    float[] v = other.network().params.values();
    int item = 7;
    float before = other.score(5, item);
    int row = item * net.g;
    float dot = 0;
    for (int d = 0; d < net.g; d++) {
      dot += query[d] * v[row + d];
    }
    Arrays.fill(v, row, row + net.g, 0f);
    assertThat(other.score(5, item)).isCloseTo(before - dot, org.assertj.core.api.Assertions.within(1e-4f));
  }

  @Test
  void onlineEventsRaiseTheirScoreAndGrowTheTables() {
    NeumfModel m = (NeumfModel) Algorithms.copy(model);
    int user = m.userCount() + 2;
    int item = m.itemCount() + 1;
    m.learnOnline(user, 3, 1f, 0);
    assertThat(m.userCount()).isEqualTo(user + 1);
    m.learnOnline(0, item, 1f, 0);
    assertThat(m.itemCount()).isEqualTo(item + 1);
    int u = 11;
    int i = Arrays.stream(new int[] {40, 41, 42, 43, 44}).filter(x -> !m.history().contains(u, x)).findFirst().orElseThrow();
    float before = m.score(u, i);
    for (int s = 0; s < 5; s++) {
      m.learnOnline(u, i, 1f, 0);
    }
    assertThat(m.score(u, i)).isGreaterThan(before);
    assertThat(m.history().contains(u, i)).isTrue();
    assertThat(ModelHealth.check(m).healthy()).isTrue();
  }

  /** A fine-tune on a narrow slice moves the old parameters less with the anchor, and distillation keeps old scores. */
  @Test
  void stabilityKeepsTheModelNearWhatItKnew() {
    InteractionLog slice = new InteractionLog();
    for (int u = 0; u < 100; u++) {
      for (int i = 0; i < 5; i++) {
        slice.add(u, i, 1f, 0, InteractionType.VIEW);
      }
    }
    InteractionLog replay = new InteractionLog();
    for (int e = 0; e < 2_000; e += 4) {
      replay.add(data.log().get(e));
    }
    double plain = drift(Update.of(slice, model.userCount(), model.itemCount()).withReplay(replay));
    double anchored = drift(Update.of(slice, model.userCount(), model.itemCount()).withReplay(replay)
        .withStability(new Stability(50f, false, 0f)));
    double fisher = drift(Update.of(slice, model.userCount(), model.itemCount()).withReplay(replay)
        .withStability(new Stability(50f, true, 0f)));
    double distilled = scoreDrift(Update.of(slice, model.userCount(), model.itemCount()).withReplay(replay)
        .withStability(new Stability(0f, false, 5f)).withTeacher(model));
    double undistilled = scoreDrift(Update.of(slice, model.userCount(), model.itemCount()).withReplay(replay));
    System.out.printf("NeuMF fine-tune drift: plain %.4f, anchored %.4f, fisher %.4f; score drift %.4f → %.4f distilled%n",
        plain, anchored, fisher, undistilled, distilled);
    assertThat(anchored).isLessThan(plain * 0.8);
    assertThat(fisher).isLessThan(plain);
    assertThat(distilled).isLessThan(undistilled);
  }

  /** Parameter distance after the update. */
  private static double drift(Update update) {
    NeumfModel m = (NeumfModel) Algorithms.copy(model);
    m.partialFit(update);
    float[] a = model.network().params.values();
    float[] b = m.network().params.values();
    double s = 0;
    for (int p = 0; p < a.length; p++) {
      s += (a[p] - b[p]) * (a[p] - b[p]);
    }
    return Math.sqrt(s);
  }

  /** Mean absolute change of scores of replayed users over items outside the slice. */
  private static double scoreDrift(Update update) {
    NeumfModel m = (NeumfModel) Algorithms.copy(model);
    m.partialFit(update);
    double s = 0;
    int n = 0;
    for (int u = 100; u < 200; u++) {
      for (int i = 100; i < 1000; i += 37) {
        s += Math.abs(m.score(u, i) - model.score(u, i));
        n++;
      }
    }
    return s / n;
  }

  @Test
  void foldInIsDeterministicAndRanksLikeTheStoredUser() {
    int u = 4;
    int[] items = model.history().items(u);
    UserQuery a = model.foldInUser(items, model.history().values(u));
    UserQuery b = model.foldInUser(items, model.history().values(u));
    assertThat(a.vector()).isEqualTo(b.vector());
    int[] stored = model.recommend(u, 20, true, null).ids();
    int[] folded = model.recommend(a, 20, null).ids();
    long common = Arrays.stream(folded).filter(i -> Arrays.stream(stored).anyMatch(j -> j == i)).count();
    assertThat(common).as("folded-in top-20 shared with the stored user's").isGreaterThanOrEqualTo(10);
  }

  @Test
  void healthBudgetAndBadStatesAreReported() {
    assertThat(ModelHealth.check(model).healthy()).isTrue();
    NeumfTrainer trainer = (NeumfTrainer) Algorithms.trainer("neumf", null);
    long bytes = trainer.estimatedBytes(1_000, 10_000, 100_000);
    // 11k rows × (256 + 64) floats × 4 copies at least
    assertThat(bytes).isGreaterThan(11_000L * 320 * 4 * 4);
    assertThat(((NeumfTrainer) Algorithms.trainer("neumf", new ObjectMapper().createObjectNode().put("gmfFactors", 512)))
        .estimatedBytes(1_000, 10_000, 100_000)).isGreaterThan(bytes);
    assertThatThrownBy(() -> Algorithms.trainer("neumf", new ObjectMapper().createObjectNode().put("negatives", 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negatives");
    assertThatThrownBy(() -> Algorithms.trainer("neumf", new ObjectMapper().createObjectNode().put("alpha", 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
    ModelState broken = model.state().deepCopy();
    broken.put("param.mlp.1.weight", new float[3]);
    assertThatThrownBy(() -> Algorithms.restore(broken)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("param.mlp.1.weight");
    ModelState diverged = model.state().deepCopy();
    diverged.floats("param.predict.bias")[0] = Float.NaN;
    assertThat(ModelHealth.check(Algorithms.restore(diverged)).healthy()).isFalse();
  }

  @Test
  void pretrainingFusesBothTowersAndLearns() {
    ObjectNode config = small().put("pretrain", true).put("pretrainEpochs", 3).put("epochs", 2);
    NeumfModel a = (NeumfModel) Algorithms.trainer("neumf", config).fit(data);
    NeumfModel b = (NeumfModel) Algorithms.trainer("neumf", config).fit(data);
    assertThat(a.state().floats("param.predict.mlp.weight")).isEqualTo(b.state().floats("param.predict.mlp.weight"));
    // a pre-trained and fused model ranks a user's held items above random ones
    int better = 0;
    int total = 0;
    for (int u = 0; u < a.userCount(); u += 3) {
      int[] seen = a.history().items(u);
      if (seen.length == 0) {
        continue;
      }
      int other = (u * 7919) % a.itemCount();
      if (a.history().contains(u, other)) {
        continue;
      }
      better += a.score(u, seen[0]) > a.score(u, other) ? 1 : 0;
      total++;
    }
    assertThat((double) better / total).isGreaterThan(0.7);
  }
}
