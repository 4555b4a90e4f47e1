package io.perennial.model.sasrec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.TrainingOptions;
import io.perennial.model.UserHistory;
import io.perennial.nn.Activation;
import io.perennial.nn.Embedding;
import io.perennial.nn.GradientCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's SASRec recipes: the contrastive loss wired into the training step (its whole path,
 * views through the network and back, checked against central differences), augmented training
 * deterministic for a seed, a zero contrastive weight identical to plain training, and deepening
 * with near-identity blocks.
 */
class SasrecAugmentationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ITEMS = 12;

  /** A tiny network's config: GELU (smooth, for the gradient check), full softmax, dropout 0.2. */
  private static SasrecConfig tiny(int threads) {
    return new SasrecConfig(8, 1, 2, 8, 1, 4, 1e-3f, 0, 0.2f, SasrecConfig.Loss.SOFTMAX, 64, Activation.GELU, 0f,
        0f, threads, 11L, 1, 1, 0, null, List.of("crop", "mask", "reorder"), 0.6f, 0.3f, 0.6f, 0.5f, 1f, false, null, 6);
  }

  private static List<SasrecSteps.Window> windows(SplittableRandom random) {
    List<SasrecSteps.Window> out = new ArrayList<>();
    int[] lengths = {8, 6, 5, 7};
    for (int u = 0; u < lengths.length; u++) {
      int[] seq = random.ints(lengths[u] + 1, 0, ITEMS).toArray();
      out.add(new SasrecSteps.Window(u, seq, 0, lengths[u]));
    }
    return out;
  }

  private static void checkContrastivePath(int threads) {
    SasrecConfig config = tiny(threads);
    SasrecNetwork net = new SasrecNetwork(ITEMS, config.factors(), config.blocks(), config.heads(), config.maxLength(),
        config.dropout(), config.activation(), 5);
    List<SasrecSteps.Window> batch = windows(new SplittableRandom(3));
    try (SasrecSteps plain = new SasrecSteps(net, config, 4, 0, new UserHistory(0), ITEMS);
        SasrecSteps steps = new SasrecSteps(net, config, 4, 0, new UserHistory(0), ITEMS)) {
      steps.contrastWith(new SequenceAugmentation(0.6f, 0.3f, 0.6f, Embedding.PADDING), config.augmentOperators(),
          config.contrastiveWeight(), config.contrastiveTemperature());
      float[] values = net.params().values();
      net.params().zeroGrad();
      double withoutContrast = plain.gradients(batch, 0, batch.size(), 7);
      net.params().zeroGrad();
      double loss = steps.gradients(batch, 0, batch.size(), 7);
      float[] analytic = net.params().grads().clone();
      net.params().zeroGrad();
      assertThat(loss).as("the contrastive term is in the loss").isGreaterThan(withoutContrast + 1e-3);
      double worst = GradientCheck.assertGradient("sasrec contrastive", values, analytic, () -> {
        double l = steps.gradients(batch, 0, batch.size(), 7);
        net.params().zeroGrad();
        return l;
      }, 3);
      System.out.printf("SASRec + contrastive gradient check (%d threads): worst relative error %.2e%n", threads,
          worst);
    }
  }

  @Test
  void contrastivePathGradientsMatchCentralDifferences() {
    checkContrastivePath(1);
  }

  @Test
  void contrastivePathGradientsMatchOnTwoWorkers() {
    checkContrastivePath(2);
  }

  private static ObjectNode quick() {
    return JSON.createObjectNode().put("epochs", 3).put("factors", 16).put("threads", 2).put("negatives", 64)
        .put("maxLength", 20);
  }

  private static float[] trained(Dataset data, ObjectNode overrides) {
    SasrecModel model = (SasrecModel) Algorithms.trainer("sasrec", overrides).fit(data, TrainingOptions.silent());
    return model.network().params().values().clone();
  }

  @Test
  void augmentedTrainingIsDeterministicForASeed() {
    Dataset data = SasrecModelTest.chains(4);
    ObjectNode augmented = quick();
    augmented.putArray("augment").add("crop").add("mask").add("reorder");
    augmented.put("contrastiveWeight", 0.2f).put("augmentExtra", true);
    float[] first = trained(data, augmented);
    assertThat(trained(data, augmented)).containsExactly(first);
    assertThat(trained(data, augmented.deepCopy().put("seed", 43))).isNotEqualTo(first);
    assertThat(trained(data, quick())).as("augmentation changes the training").isNotEqualTo(first);
  }

  @Test
  void zeroContrastiveWeightIsPlainTrainingBitForBit() {
    Dataset data = SasrecModelTest.chains(5);
    ObjectNode zero = quick();
    zero.putArray("augment").add("crop").add("mask");
    zero.put("contrastiveWeight", 0f);
    assertThat(trained(data, zero)).containsExactly(trained(data, quick()));
    ObjectNode contrastOnly = zero.deepCopy().put("contrastiveWeight", 0.1f);
    assertThat(trained(data, contrastOnly)).isNotEqualTo(trained(data, quick()));
  }

  @Test
  void badAugmentationSettingsAreRefusedByName() {
    ObjectNode bad = quick();
    bad.putArray("augment").add("crop").add("flip");
    assertThatThrownBy(() -> Algorithms.trainer("sasrec", bad)).hasMessageContaining("'flip'");
    assertThatThrownBy(() -> Algorithms.trainer("sasrec", quick().put("contrastiveTemperature", -1f)))
        .hasMessageContaining("contrastiveTemperature");
    assertThatThrownBy(() -> Algorithms.trainer("sasrec", quick().put("maskRatio", 1f))).hasMessageContaining("maskRatio");
  }

  /** Scores of every item after each of a few sequences (the final states times the item table). */
  private static float[] scores(SasrecNetwork net, int[][] sequences) {
    int c = net.channels();
    float[] out = new float[sequences.length * ITEMS];
    SasrecNetwork.Workspace ws = net.workspace(1, false, 1);
    float[] state = new float[c];
    for (int s = 0; s < sequences.length; s++) {
      System.arraycopy(sequences[s], 0, ws.ids, 0, sequences[s].length);
      ws.lengths[0] = sequences[s].length;
      net.forward(ws, 1, sequences[s].length, false, 0, 0);
      ws.lastState(0, state, 0);
      for (int i = 0; i < ITEMS; i++) {
        float dot = 0;
        for (int j = 0; j < c; j++) {
          dot += state[j] * net.params().values()[net.itemRow(i) + j];
        }
        out[s * ITEMS + i] = dot;
      }
    }
    return out;
  }

  /** Stated tolerance: a deepening moves no score by more than 2 % of the largest score's magnitude. */
  private static final double DEEPENING_TOLERANCE = 0.02;

  @Test
  void deepeningWithANearIdentityBlockBarelyMovesTheScores() {
    SasrecNetwork shallow = new SasrecNetwork(ITEMS, 16, 1, 2, 10, 0.2f, Activation.RELU, 9);
    // move the block away from its initialisation, as training would
    SplittableRandom random = new SplittableRandom(2);
    float[] p = shallow.params().values();
    for (int i = 0; i < p.length; i++) {
      p[i] += (float) (0.05 * random.nextGaussian());
    }
    int[][] sequences = {{1, 2, 3, 4, 5}, {7, 7, 0}, {11}, {3, 9, 4, 10, 2, 6, 8, 1, 0, 5}};
    float[] before = scores(shallow, sequences);
    SasrecNetwork deeper = SasrecDeepening.deepen(shallow, 3, SasrecDeepening.DEFAULT_NEW_SCALE, Activation.RELU, 0.2f,
        4);
    assertThat(deeper.blocks()).isEqualTo(3);
    float[] after = scores(deeper, sequences);
    double largest = 0;
    double moved = 0;
    for (int i = 0; i < before.length; i++) {
      largest = Math.max(largest, Math.abs(before[i]));
      moved = Math.max(moved, Math.abs(after[i] - before[i]));
    }
    System.out.printf("deepening 1 -> 3 blocks: largest score change %.3e against largest score %.3f%n", moved, largest);
    assertThat(moved).isLessThan(DEEPENING_TOLERANCE * largest).isPositive();
    // the carried-over block is copied exactly
    assertThat(Arrays.copyOfRange(deeper.params().values(), deeper.params().tensor("block0.qkv.weight").offset(),
        deeper.params().tensor("block0.qkv.weight").offset() + deeper.params().tensor("block0.qkv.weight").size()))
        .containsExactly(Arrays.copyOfRange(p, shallow.params().tensor("block0.qkv.weight").offset(),
            shallow.params().tensor("block0.qkv.weight").offset() + shallow.params().tensor("block0.qkv.weight").size()));
  }

  @Test
  void progressiveTrainingEndsWithTheConfiguredBlocksAndIsDeterministic() {
    Dataset data = SasrecModelTest.chains(6);
    ObjectNode staged = quick().put("epochs", 4);
    ObjectNode stages = staged.putObject("progressive");
    stages.putArray("blocks").add(1);
    stages.putArray("deepenAt").add(2);
    SasrecModel model = (SasrecModel) Algorithms.trainer("sasrec", staged).fit(data, TrainingOptions.silent());
    assertThat(model.network().blocks()).isEqualTo(2);
    assertThat(model.network().params().size()).isEqualTo(trained(data, quick().put("epochs", 4)).length);
    assertThat(trained(data, staged)).containsExactly(model.network().params().values());
    assertThat(model.score(0, 1)).isFinite();
    ObjectNode tooDeep = quick().put("epochs", 4);
    tooDeep.putObject("progressive").putArray("blocks").add(2);
    ((ObjectNode) tooDeep.get("progressive")).putArray("deepenAt").add(2);
    assertThatThrownBy(() -> Algorithms.trainer("sasrec", tooDeep)).hasMessageContaining("progressive.blocks");
    ObjectNode tooLate = quick().put("epochs", 4);
    tooLate.putObject("progressive").putArray("blocks").add(1);
    ((ObjectNode) tooLate.get("progressive")).putArray("deepenAt").add(4);
    assertThatThrownBy(() -> Algorithms.trainer("sasrec", tooLate)).hasMessageContaining("progressive.deepenAt");
  }
}
