package io.perennial.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.DenseNetwork;
import io.perennial.model.Recommender;
import io.perennial.model.Update;
import io.perennial.nn.PruneMask;
import io.perennial.nn.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MagnitudePruningTest {

  @TempDir Path dir;

  private static final Dataset WORLD = SyntheticGenerator.generate(
      SyntheticConfig.defaults().withEvents(8_000).withSize(200, 300).withSeed(5));

  private static ObjectNode config(String type) {
    ObjectNode c = new ObjectMapper().createObjectNode().put("epochs", 3);
    return type.equals("neumf") ? c.put("gmfFactors", 16).put("mlpFactors", 8).put("batchSize", 128)
        : c.put("factors", 16).put("maxLength", 20);
  }

  @Test
  void theSparsityIsReachedAndMaskedWeightsStayZeroThroughFineTuneOnlineStepsAndReload() {
    for (String type : new String[] {"neumf", "sasrec"}) {
      Recommender model = Algorithms.trainer(type, config(type)).fit(WORLD);
      Checkpoint full = new Checkpoint(model.state(), WORLD.users(), WORLD.items(),
          Provenance.ofTraining(1, "synthetic", WORLD));
      Pruning.Sparsified r = Pruning.magnitude(full, 0.7, 2, pass -> { });
      assertThat(r.sparsity()).as(type).isCloseTo(0.7, org.assertj.core.data.Offset.offset(0.01));
      assertThat(r.prunableWeights()).isPositive().isLessThan(r.parameters());

      Path file = dir.resolve(type + ".pmdl");
      r.checkpoint().write(file);
      Recommender loaded = Algorithms.restore(Checkpoint.read(file).state());
      DenseNetwork net = (DenseNetwork) loaded;
      PruneMask mask = net.parameters().mask();
      assertThat(mask).as("%s: the mask is in the checkpoint", type).isNotNull();
      assertThat(mask.prunedWeights()).isEqualTo(r.prunedWeights());
      assertMaskedZeroAndOthersMostlyNot(net, type + " after the fine-tune and reload");
      assertThat(loaded.recommend(0, 10, true, null).ids()).hasSize(10);

      // later learning keeps them at zero too: a fine-tune on new ids (the tables grow) and online steps
      loaded.partialFit(Update.of(WORLD.log(), loaded.userCount() + 3, loaded.itemCount() + 3));
      ((io.perennial.model.OnlineLearner) loaded).learnOnline(1, 2, 1f, 0L);
      assertMaskedZeroAndOthersMostlyNot((DenseNetwork) loaded, type + " after more learning");
    }
  }

  @Test
  void factorModelsAreRefusedWithTheIdPruningNamed() {
    Recommender bpr = Algorithms.trainer("bpr", null).fit(WORLD);
    Checkpoint cp = new Checkpoint(bpr.state(), WORLD.users(), WORLD.items(), Provenance.ofTraining(1, "s", WORLD));
    assertThatThrownBy(() -> Pruning.magnitude(cp, 0.5, 0, p -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neumf, sasrec")
        .hasMessageContaining("--min-item-events");
  }

  private static void assertMaskedZeroAndOthersMostlyNot(DenseNetwork net, String what) {
    PruneMask mask = net.parameters().mask();
    float[] values = net.parameters().values();
    List<Tensor> layers = mask.layers();
    long keptNonZero = 0;
    long kept = 0;
    for (int l = 0; l < layers.size(); l++) {
      Tensor t = layers.get(l);
      for (int j = 0; j < t.size(); j++) {
        float v = values[t.offset() + j];
        if (mask.isPruned(l, j)) {
          assertThat(v).as("%s: %s[%d] pruned", what, t.name(), j).isZero();
        } else {
          kept++;
          keptNonZero += v != 0 ? 1 : 0;
        }
      }
    }
    assertThat(keptNonZero).as(what + ": the surviving weights are live").isGreaterThan(kept * 9 / 10);
  }
}
