package io.perennial.model.sasrec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.perennial.nn.Activation;
import io.perennial.nn.Embedding;
import io.perennial.nn.GradientCheck;
import io.perennial.nn.RowSet;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The whole network against its definition: every parameter's gradient by central differences
 * (GELU, fixed dropout masks; {@link GradientCheck}'s h = 1e-2 and relative tolerance 1e-2), both
 * losses; the causal and padding masks by perturbation; positions independent of the batch's T.
 */
class SasrecNetworkTest {

  private static final int ITEMS = 9;
  private static final int C = 8;
  private static final int T = 6;
  private static final int[] LENGTHS = {6, 4, 2};

  private static SasrecNetwork network(float dropout) {
    return new SasrecNetwork(ITEMS, C, 2, 2, T, dropout, Activation.GELU, 7);
  }

  /** Random left-padded sequences; targets are the next item, the newest position's a random one. */
  private static void fill(SasrecNetwork.Workspace ws, int[] lengths, int time, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int b = 0; b < lengths.length; b++) {
      ws.lengths[b] = lengths[b];
      for (int t = 0; t < time; t++) {
        int r = b * time + t;
        boolean real = t >= time - lengths[b];
        ws.ids[r] = real ? random.nextInt(ITEMS) : Embedding.PADDING;
        ws.rowNegatives[r] = random.nextInt(ITEMS);
      }
      for (int t = 0; t < time; t++) {
        int r = b * time + t;
        boolean real = t >= time - lengths[b];
        ws.targets[r] = !real ? Embedding.PADDING : t + 1 < time ? ws.ids[r + 1] : random.nextInt(ITEMS);
      }
    }
  }

  private static int rows(int[] lengths) {
    return Arrays.stream(lengths).sum();
  }

  private static double meanLoss(SasrecNetwork net, SasrecNetwork.Workspace ws, SasrecConfig.Loss loss,
      int[] negatives, float[] grads, RowSet touched) {
    net.forward(ws, LENGTHS.length, T, true, 5, 0);
    double sum = loss == SasrecConfig.Loss.BCE
        ? net.bceLoss(ws, grads, touched, 1f)
        : net.softmaxLoss(ws, negatives, negatives.length, grads, touched, 1f);
    return sum / rows(LENGTHS);
  }

  private static void checkGradients(SasrecConfig.Loss loss) {
    SasrecNetwork net = network(0.2f);
    int[] negatives = {0, 3, 5, 8, 3};
    SasrecNetwork.Workspace ws = net.workspace(LENGTHS.length, true, negatives.length);
    fill(ws, LENGTHS, T, 3);
    float[] values = net.params().values();
    float[] grads = new float[values.length];
    RowSet touched = new RowSet(ITEMS);
    meanLoss(net, ws, loss, negatives, grads, touched);
    net.backward(ws, grads, touched);
    float[] scratch = new float[values.length];
    RowSet scratchRows = new RowSet(ITEMS);
    double worst = GradientCheck.assertGradient("sasrec " + loss, values, grads,
        () -> meanLoss(net, ws, loss, negatives, scratch, scratchRows));
    System.out.printf("SASRec %s gradient check: worst relative error %.2e over %d parameters%n", loss, worst,
        values.length);
    assertThat(touched.size()).isPositive();
  }

  @Test
  void sampledSoftmaxGradientsMatchCentralDifferences() {
    checkGradients(SasrecConfig.Loss.SOFTMAX);
  }

  @Test
  void bceGradientsMatchCentralDifferences() {
    checkGradients(SasrecConfig.Loss.BCE);
  }

  /**
   * Sampled softmax plus distillation from a twice-as-wide teacher (a distilled student's loss);
   * the padded batch has rows without a target, so both losses run on gathered target rows.
   */
  @Test
  void distillationFromAWiderTeacherGradientsMatchCentralDifferences() {
    SasrecNetwork net = network(0.2f);
    SasrecNetwork teacher = new SasrecNetwork(ITEMS, 2 * C, 1, 2, T, 0f, Activation.GELU, 11);
    int[] negatives = {0, 3, 5, 8, 3};
    SasrecNetwork.Workspace ws = net.workspace(LENGTHS.length, true, negatives.length);
    SasrecNetwork.Workspace tws = teacher.workspace(LENGTHS.length, true, negatives.length);
    fill(ws, LENGTHS, T, 4);
    System.arraycopy(ws.ids, 0, tws.ids, 0, ws.ids.length);
    System.arraycopy(ws.lengths, 0, tws.lengths, 0, LENGTHS.length);
    teacher.forward(tws, LENGTHS.length, T, false, 0, 0);
    float[] values = net.params().values();
    float[] grads = new float[values.length];
    RowSet touched = new RowSet(ITEMS);
    java.util.function.BiFunction<float[], RowSet, Double> loss = (g, rows) -> {
      net.forward(ws, LENGTHS.length, T, true, 5, 0);
      double sum = net.softmaxLoss(ws, negatives, negatives.length, g, rows, 1f)
          + 0.7 * net.distillationLoss(ws, teacher, tws, negatives, negatives.length, g, rows, 0.7f);
      assertThat(rows(LENGTHS)).isLessThan(LENGTHS.length * T); // some rows are padding
      return sum / rows(LENGTHS);
    };
    double before = loss.apply(grads, touched);
    net.backward(ws, grads, touched);
    float[] scratch = new float[values.length];
    RowSet scratchRows = new RowSet(ITEMS);
    double worst = GradientCheck.assertGradient("sasrec distillation", values, grads,
        () -> loss.apply(scratch, scratchRows));
    System.out.printf("SASRec distillation gradient check: worst relative error %.2e%n", worst);
    assertThat(before).isPositive();
    assertThat(touched.size()).isPositive();
  }

  private static float[] states(SasrecNetwork net, int[] ids, int[] lengths, int time) {
    SasrecNetwork.Workspace ws = net.workspace(lengths.length, false, 1);
    System.arraycopy(ids, 0, ws.ids, 0, ids.length);
    System.arraycopy(lengths, 0, ws.lengths, 0, lengths.length);
    net.forward(ws, lengths.length, time, false, 0, 0);
    return Arrays.copyOf(ws.hidden, lengths.length * time * C);
  }

  private static int[] sequences(long seed) {
    SasrecNetwork.Workspace ws = network(0).workspace(LENGTHS.length, true, 1);
    fill(ws, LENGTHS, T, seed);
    return Arrays.copyOf(ws.ids, LENGTHS.length * T);
  }

  @Test
  void noPositionSeesTheFuture() {
    SasrecNetwork net = network(0);
    int[] ids = sequences(11);
    float[] before = states(net, ids, LENGTHS, T);
    int b = 0;
    int t0 = 2;
    int[] changed = ids.clone();
    for (int t = t0 + 1; t < T; t++) {
      changed[b * T + t] = (changed[b * T + t] + 1) % ITEMS;
    }
    float[] after = states(net, changed, LENGTHS, T);
    for (int t = 0; t < T; t++) {
      for (int i = 0; i < C; i++) {
        int at = (b * T + t) * C + i;
        if (t <= t0) {
          assertThat(after[at]).as("position %d, channel %d", t, i).isCloseTo(before[at], within(1e-6f));
        }
      }
    }
    // the newest position does see the change
    assertThat(Arrays.copyOfRange(after, (T - 1) * C, T * C)).isNotEqualTo(Arrays.copyOfRange(before, (T - 1) * C, T * C));
  }

  @Test
  void paddingInputsChangeNothing() {
    SasrecNetwork net = network(0);
    int[] ids = sequences(12);
    float[] before = states(net, ids, LENGTHS, T);
    int[] changed = ids.clone();
    for (int b = 0; b < LENGTHS.length; b++) {
      for (int t = 0; t < T - LENGTHS[b]; t++) {
        changed[b * T + t] = (b + t) % ITEMS; // a real item id where the mask says padding
      }
    }
    float[] after = states(net, changed, LENGTHS, T);
    for (int b = 0; b < LENGTHS.length; b++) {
      for (int t = T - LENGTHS[b]; t < T; t++) {
        for (int i = 0; i < C; i++) {
          int at = (b * T + t) * C + i;
          assertThat(after[at]).isCloseTo(before[at], within(1e-6f));
        }
      }
    }
  }

  @Test
  void aSequenceGetsTheSameStatesWhateverTheBatchLength() {
    SasrecNetwork net = network(0);
    int[] ids = sequences(13);
    float[] padded = states(net, ids, LENGTHS, T);
    // sequence 1 (length 4) alone, unpadded at T = 4
    int[] alone = Arrays.copyOfRange(ids, T + 2, 2 * T);
    float[] unpadded = states(net, alone, new int[] {4}, 4);
    for (int t = 0; t < 4; t++) {
      for (int i = 0; i < C; i++) {
        assertThat(unpadded[t * C + i]).isCloseTo(padded[(T + 2 + t) * C + i], within(1e-5f));
      }
    }
  }

  @Test
  void statesHaveTheWorkspaceShapeAndBadShapesAreRefused() {
    SasrecNetwork net = network(0);
    SasrecNetwork.Workspace ws = net.workspace(2, false, 1);
    assertThat(ws.hidden).hasSize(2 * T * C);
    assertThatThrownBy(() -> net.forward(ws, 3, T, false, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch 3");
    assertThatThrownBy(() -> net.forward(ws, 1, T + 1, false, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SasrecNetwork(0, C, 1, 1, T, 0, Activation.GELU, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one item");
  }
}
