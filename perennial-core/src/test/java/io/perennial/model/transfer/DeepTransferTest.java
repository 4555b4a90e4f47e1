package io.perennial.model.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import io.perennial.model.Algorithms;
import io.perennial.model.DenseNetwork;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingOptions;
import io.perennial.nn.ParameterSet;
import io.perennial.nn.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** SASRec and NeuMF as warm-start targets: rows and layers copied, fine-tunes as learning-rate scales, errors. */
class DeepTransferTest {

  private static final int ITEMS = 60;
  private static final int NEW_ITEMS = 6; // target items the source has never seen
  private static final int K = 8;

  @Test
  void aFactorSourceSeedsTheSasrecItemTableAndFreezeItemsKeepsItsRowsBitEqual() {
    SourceModel source = source("bpr", bprConfig());
    Dataset target = target(7);
    ItemMatch match = match(source, target);
    DenseNetwork frozen = (DenseNetwork) warm("sasrec", sasrecConfig(), source, match, "freeze-items").fit(target,
        TrainingOptions.silent());
    DenseNetwork full = (DenseNetwork) warm("sasrec", sasrecConfig(), source, match, "full").fit(target,
        TrainingOptions.silent());
    int matched = 0;
    for (int i = 0; i < target.items().size(); i++) {
      int row = source.items().indexOf(target.items().idOf(i));
      if (row < 0) {
        assertThat(row(frozen, "item_embedding", i)).as("an unmatched item is not a source row")
            .isNotEqualTo(new float[K]);
        continue;
      }
      matched++;
      float[] src = Arrays.copyOfRange(source.itemFactors(), row * K, (row + 1) * K);
      assertThat(row(frozen, "item_embedding", i)).as("item " + i).isEqualTo(src);
      assertThat(row(full, "item_embedding", i)).as("full fine-tune moves item " + i).isNotEqualTo(src);
    }
    assertThat(matched).isEqualTo(ITEMS);
  }

  @Test
  void aSasrecSourceCopiesEveryLayerAndProgressiveHoldsThemForItsEpochs() {
    SourceModel source = source("sasrec", sasrecConfig());
    assertThat(source.deep()).isTrue();
    Dataset target = target(8);
    ItemMatch match = match(source, target);
    // frozen for more epochs than the run has: every transferred parameter must still be the source's
    DenseNetwork held = (DenseNetwork) warm("sasrec", sasrecConfig(), source, match, "progressive:99").fit(target,
        TrainingOptions.silent());
    ParameterSet p = held.parameters();
    int dense = 0;
    for (Tensor t : p.tensors()) {
      if (!t.isTable()) {
        assertThat(values(p, t)).as(t.name()).isEqualTo(source.parameters().get(t.name()).values());
        dense++;
      }
    }
    assertThat(dense).as("positions, 1 block's layers and the final norm").isGreaterThanOrEqualTo(10);
    assertMatchedRowsEqualSource(held, "item_embedding", source, target);
    DenseNetwork thawed = (DenseNetwork) warm("sasrec", sasrecConfig(), source, match, "progressive:1").fit(target,
        TrainingOptions.silent());
    Tensor qkv = thawed.parameters().tensor("block0.qkv.weight");
    assertThat(values(thawed.parameters(), qkv)).as("free after its epoch")
        .isNotEqualTo(source.parameters().get("block0.qkv.weight").values());
  }

  @Test
  void namedLayersStayBitIdenticalAndTheOthersLearn() {
    SourceModel source = source("sasrec", sasrecConfig());
    Dataset target = target(9);
    DenseNetwork tuned = (DenseNetwork) warm("sasrec", sasrecConfig(), source, match(source, target),
        "freeze:items,attention").fit(target, TrainingOptions.silent());
    ParameterSet p = tuned.parameters();
    for (Tensor t : p.tensors()) {
      float[] before = source.parameters().get(t.name()).values();
      boolean frozen = t.name().equals("item_embedding") || t.name().contains(".qkv.")
          || t.name().contains(".projection.") || t.name().contains(".attention_norm.");
      if (t.isTable()) {
        // the target's table has the new items' rows too: compare the source rows the match gave
        assertMatchedRowsEqualSource(tuned, t.name(), source, target);
      } else if (frozen) {
        assertThat(values(p, t)).as(t.name() + " frozen").isEqualTo(before);
      } else {
        assertThat(values(p, t)).as(t.name() + " learns").isNotEqualTo(before);
      }
    }
  }

  @Test
  void aLearningRateRatioMovesTheTransferredRowsLess() {
    SourceModel source = source("bpr", bprConfig());
    Dataset target = target(10);
    ItemMatch match = match(source, target);
    DenseNetwork full = (DenseNetwork) warm("sasrec", sasrecConfig(), source, match, "full").fit(target,
        TrainingOptions.silent());
    DenseNetwork slow = (DenseNetwork) warm("sasrec", sasrecConfig(), source, match, "lr-ratio:0.1").fit(target,
        TrainingOptions.silent());
    assertThat(movement(slow, "item_embedding", source, target))
        .isLessThan(0.5 * movement(full, "item_embedding", source, target));
  }

  @Test
  void neumfTakesAFactorSourceInBothTowersAndANeumfSourceWhole() {
    SourceModel bpr = source("bpr", bprConfig());
    Dataset target = target(11);
    DenseNetwork seeded = (DenseNetwork) warm("neumf", neumfConfig(), bpr, match(bpr, target), "freeze-items")
        .fit(target, TrainingOptions.silent());
    // GMF 8 wide and MLP embedding 4·2 = 8 wide: both item tables start from (and keep) the source's rows
    for (String table : List.of("gmf.item", "mlp.item")) {
      for (int i = 0; i < target.items().size(); i++) {
        int row = bpr.items().indexOf(target.items().idOf(i));
        if (row >= 0) {
          assertThat(row(seeded, table, i)).as(table + " " + i)
              .isEqualTo(Arrays.copyOfRange(bpr.itemFactors(), row * K, (row + 1) * K));
        }
      }
    }
    SourceModel neumf = source("neumf", neumfConfig());
    DenseNetwork copied = (DenseNetwork) warm("neumf", neumfConfig(), neumf, match(neumf, target), "progressive:99")
        .fit(target, TrainingOptions.silent());
    for (Tensor t : copied.parameters().tensors()) {
      if (!t.isTable()) {
        assertThat(values(copied.parameters(), t)).as(t.name()).isEqualTo(neumf.parameters().get(t.name()).values());
      }
    }
    assertMatchedRowsEqualSource(copied, "mlp.item", neumf, target);
    DenseNetwork tower = (DenseNetwork) warm("neumf", neumfConfig(), neumf, match(neumf, target), "freeze:tower")
        .fit(target, TrainingOptions.silent());
    assertThat(values(tower.parameters(), tower.parameters().tensor("mlp.1.weight")))
        .isEqualTo(neumf.parameters().get("mlp.1.weight").values());
    assertThat(values(tower.parameters(), tower.parameters().tensor("predict.gmf.weight")))
        .isNotEqualTo(neumf.parameters().get("predict.gmf.weight").values());
  }

  @Test
  void shapeMismatchesAndUnknownLayersAreNamed() {
    SourceModel sasrec = source("sasrec", sasrecConfig());
    Dataset target = target(12);
    ItemMatch match = match(sasrec, target);
    assertThatThrownBy(() -> warm("sasrec", sasrecConfig().put("blocks", 2), sasrec, match, "full"))
        .hasMessageContaining("layer block1.").hasMessageContaining("no such layer");
    assertThatThrownBy(() -> warm("sasrec", sasrecConfig().put("maxLength", 12), sasrec, match, "full"))
        .hasMessageContaining("layer position_embedding").hasMessageContaining("[10, 8]")
        .hasMessageContaining("[12, 8]");
    assertThatThrownBy(() -> warm("sasrec", sasrecConfig().put("factors", 16), sasrec, match, "full"))
        .hasMessageContaining("layer item_embedding").hasMessageContaining("8 wide").hasMessageContaining("16 wide");
    assertThatThrownBy(() -> warm("sasrec", sasrecConfig().put("heads", 2), sasrec, match, "full"))
        .hasMessageContaining("heads").hasMessageContaining("has 1, this config 2");
    assertThatThrownBy(() -> warm("sasrec", sasrecConfig(), sasrec, match, "freeze:items,decoder"))
        .hasMessageContaining("unknown sasrec layer 'decoder'").hasMessageContaining("attention")
        .hasMessageContaining("block0");
    SourceModel bpr = source("bpr", bprConfig());
    assertThatThrownBy(() -> warm("sasrec", sasrecConfig().put("factors", 16), bpr, match(bpr, target), "full"))
        .hasMessageContaining("8 factors").hasMessageContaining("item_embedding 16 wide")
        .hasMessageContaining("set factors in --config");
    assertThatThrownBy(() -> warm("neumf", neumfConfig().put("gmfFactors", 4).put("mlpFactors", 8), bpr,
        match(bpr, target), "full")).hasMessageContaining("gmf.item 4, mlp.item 16");
    assertThatThrownBy(() -> warm("neumf", neumfConfig(), sasrec, match, "full"))
        .hasMessageContaining("not a sasrec one");
    assertThatThrownBy(() -> warm("bpr", bprConfig(), sasrec, match, "full"))
        .hasMessageContaining("starts from an ials, bpr or mf model");
    assertThatThrownBy(() -> warm("bpr", bprConfig(), bpr, match(bpr, target), "freeze:items"))
        .hasMessageContaining("per-layer freezing is for sasrec and neumf");
    assertThatThrownBy(() -> FineTune.parse("freeze:items,,block0")).hasMessageContaining("layer names");
  }

  // --- generated data: users walk through the items of their group in order ---

  private static PretrainedTrainer warm(String algorithm, ObjectNode config, SourceModel source, ItemMatch match, String mode) {
    return new PretrainedTrainer(Algorithms.trainer(algorithm, config), source, match, null, false,
        FineTune.parse(mode), 0f);
  }

  private static ItemMatch match(SourceModel source, Dataset target) {
    return ItemMatch.byKey(ItemKey.ID, source.items(), id -> null, target.items(), id -> null);
  }

  private static ObjectNode sasrecConfig() {
    return Algorithms.defaults("sasrec").removeAll().put("factors", K).put("blocks", 1).put("heads", 1)
        .put("maxLength", 10).put("epochs", 3).put("threads", 1).put("batchSize", 16).put("dropout", 0f);
  }

  private static ObjectNode neumfConfig() {
    return Algorithms.defaults("neumf").removeAll().put("gmfFactors", K).put("mlpFactors", 4).put("mlpLayers", 2)
        .put("epochs", 3).put("batchSize", 64);
  }

  private static ObjectNode bprConfig() {
    return Algorithms.defaults("bpr").removeAll().put("factors", K).put("epochs", 5).put("threads", 1);
  }

  private static SourceModel source(String algorithm, ObjectNode config) {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      items.add("i" + i);
    }
    Dataset d = world("s", IdIndex.of(items), 40, new SplittableRandom(3));
    Recommender m = Algorithms.trainer(algorithm, config).fit(d);
    return SourceModel.of(m, d.users(), d.items());
  }

  /** The target: the source's items in another order plus some new ones, other users. */
  private static Dataset target(long seed) {
    List<String> items = new ArrayList<>();
    for (int i = NEW_ITEMS - 1; i >= 0; i--) {
      items.add("new" + i);
    }
    for (int i = ITEMS - 1; i >= 0; i--) {
      items.add("i" + i);
    }
    return world("t", IdIndex.of(items), 30, new SplittableRandom(seed));
  }

  private static Dataset world(String prefix, IdIndex items, int userCount, SplittableRandom random) {
    List<String> users = new ArrayList<>();
    InteractionLog log = new InteractionLog(userCount * 12);
    int n = items.size();
    for (int u = 0; u < userCount; u++) {
      users.add(prefix + u);
      int at = random.nextInt(n);
      for (int s = 0; s < 12; s++) {
        log.add(u, (at + 3 * s + random.nextInt(2)) % n, 1f, log.size(), InteractionType.CLICK);
      }
    }
    return new Dataset(IdIndex.of(users), items, log, new ReadReport(0, 0, Map.of(), 0, 0, List.of()));
  }

  private static float[] values(ParameterSet p, Tensor t) {
    return Arrays.copyOfRange(p.values(), t.offset(), t.offset() + t.size());
  }

  private static float[] row(DenseNetwork net, String table, int item) {
    Tensor t = net.parameters().tensor(table);
    int o = t.offset() + item * t.cols();
    return Arrays.copyOfRange(net.parameters().values(), o, o + t.cols());
  }

  private static void assertMatchedRowsEqualSource(DenseNetwork net, String table, SourceModel source, Dataset target) {
    SourceModel.Parameter src = source.parameters().get(table);
    int c = src.cols();
    for (int i = 0; i < target.items().size(); i++) {
      int row = source.items().indexOf(target.items().idOf(i));
      if (row >= 0) {
        assertThat(row(net, table, i)).as(table + " row of " + target.items().idOf(i))
            .isEqualTo(Arrays.copyOfRange(src.values(), row * c, (row + 1) * c));
      }
    }
  }

  /** Summed distance of the matched items' rows from the source's. */
  private static double movement(DenseNetwork net, String table, SourceModel source, Dataset target) {
    double s = 0;
    for (int i = 0; i < target.items().size(); i++) {
      int row = source.items().indexOf(target.items().idOf(i));
      if (row >= 0) {
        float[] now = row(net, table, i);
        for (int d = 0; d < K; d++) {
          double diff = now[d] - source.itemFactors()[row * K + d];
          s += diff * diff;
        }
      }
    }
    return Math.sqrt(s);
  }
}
