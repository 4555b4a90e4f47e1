package io.perennial.model.neumf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perennial.nn.Activation;
import io.perennial.nn.GradientCheck;
import io.perennial.nn.Losses;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Central-difference gradient checks of the whole NeuMF network (both towers, the fused output and
 * the point-wise BCE) against its hand-derived backward pass, with GitHub's {@link GradientCheck}
 * bars: step 1e-2, relative error at most 1e-2 (floor 1e-3). GELU stands in for ReLU: with
 * initial values of this size a ±1e-2 probe would cross ReLU's kink at some hidden unit and make
 * the difference quotient meaningless there; the layer algebra checked is the same.
 */
class NeumfGradientTest {

  private static final int USERS = 3;
  private static final int ITEMS = 5;
  private static final int ROWS = 7;

  private static NeumfConfig config(Activation activation) {
    NeumfConfig d = NeumfConfig.defaults();
    // g 3, MLP 4 → 2 → 1: every part of the network, small enough to probe every coordinate
    return new NeumfConfig(3, 1, 3, activation, 1, 2, 2, d.learningRate(), 1f, 0f, 0f, 0.6f, false, 1, 0.5f,
        d.fusedLearningRate(), 7L, 3, 0.01f, 1, 1, 0.05f, 0, null, null);
  }

  private static NeumfNetwork network(Activation activation, long seed) {
    NeumfNetwork net = new NeumfNetwork(config(activation), USERS, ITEMS);
    SplittableRandom rng = new SplittableRandom(seed);
    net.init(config(activation), rng);
    // non-zero bias and larger output weights, so the output layer's gradients are not tiny
    float[] v = net.params.values();
    v[net.predictBias.offset()] = 0.3f;
    for (int p = net.predictGmf.weight().offset(); p < net.predictBias.offset(); p++) {
      v[p] = (float) (rng.nextDouble() * 2 - 1);
    }
    return net;
  }

  private static NeumfNetwork.Workspace batch(NeumfNetwork net, long seed) {
    NeumfNetwork.Workspace ws = net.workspace(ROWS);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int r = 0; r < ROWS; r++) {
      ws.users[r] = rng.nextInt(USERS);
      ws.items[r] = rng.nextInt(ITEMS);
      ws.labels[r] = r % 3 == 0 ? 1f : (r % 3 == 1 ? 0f : 0.3f);
    }
    return ws;
  }

  private static double loss(NeumfNetwork net, NeumfNetwork.Workspace ws, NeumfNetwork.Mode mode) {
    net.gather(net.params.values(), ws, ROWS);
    net.forward(net.params.values(), ws, ROWS, mode);
    return Losses.bceForward(ws.logits, 0, ws.labels, 0, null, 0, ROWS);
  }

  @Test
  void everyParameterGradientOfTheFusedModelMatchesCentralDifferences() {
    for (NeumfNetwork.Mode mode : NeumfNetwork.Mode.values()) {
      NeumfNetwork net = network(Activation.GELU, 11);
      NeumfNetwork.Workspace ws = batch(net, 12);
      net.params.zeroGrad();
      net.trainStep(ws, ROWS, mode, 1f, 1);
      float[] analytic = net.params.grads().clone();
      assertThat(Arrays.stream(toDouble(analytic)).map(Math::abs).max().orElse(0)).as("%s gradient", mode)
          .isGreaterThan(1e-3);
      double worst = GradientCheck.assertGradient("neumf " + mode, net.params.values(), analytic,
          () -> loss(net, ws, mode));
      System.out.printf("NeuMF %s gradient check: worst relative error %.2e%n", mode, worst);
    }
  }

  /**
   * Rows grouped by user (a positive and its negatives) run the user half of the first layer once
   * per group: the same loss and gradients as row by row, and they too match central differences.
   */
  @Test
  void groupedRowsShareTheUserHalfWithTheSameGradients() {
    NeumfNetwork net = network(Activation.GELU, 31);
    int group = 3;
    int rows = 6;
    NeumfNetwork.Workspace ws = net.workspace(rows);
    for (int r = 0; r < rows; r++) {
      ws.users[r] = r < group ? 2 : 0;
      ws.items[r] = (r * 2 + 1) % ITEMS;
      ws.labels[r] = r % group == 0 ? 1f : 0f;
    }
    net.params.zeroGrad();
    float rowLoss = net.trainStep(ws, rows, NeumfNetwork.Mode.FUSED, 1f, 1);
    float[] rowGrads = net.params.grads().clone();
    net.params.zeroGrad();
    float groupLoss = net.trainStep(ws, rows, NeumfNetwork.Mode.FUSED, 1f, group);
    float[] groupGrads = net.params.grads().clone();
    assertThat(ws.group).isEqualTo(group);
    assertThat(groupLoss).isCloseTo(rowLoss, within(1e-6f));
    for (int p = 0; p < rowGrads.length; p++) {
      assertThat(groupGrads[p]).as("parameter %d", p).isCloseTo(rowGrads[p], within(1e-6f));
    }
    GradientCheck.assertGradient("neumf grouped", net.params.values(), groupGrads, () -> {
      NeumfNetwork.group(ws, rows, group);
      net.gather(net.params.values(), ws, rows);
      net.forward(net.params.values(), ws, rows, NeumfNetwork.Mode.FUSED);
      return Losses.bceForward(ws.logits, 0, ws.labels, 0, null, 0, rows);
    });
  }

  @Test
  void theTowerNotInUseGetsNoGradientDuringPretraining() {
    NeumfNetwork net = network(Activation.GELU, 3);
    NeumfNetwork.Workspace ws = batch(net, 4);
    net.params.zeroGrad();
    net.trainStep(ws, ROWS, NeumfNetwork.Mode.GMF, 1f, 1);
    float[] g = net.params.grads();
    for (var t : net.params.tensors()) {
      boolean gmf = t.name().startsWith("gmf.") || t.name().equals("predict.gmf.weight") || t.name().equals("predict.bias");
      double sum = 0;
      for (int p = t.offset(); p < t.offset() + t.size(); p++) {
        sum += Math.abs(g[p]);
      }
      if (gmf) {
        assertThat(sum).as(t.name()).isPositive();
      } else {
        assertThat(sum).as(t.name()).isZero();
      }
    }
  }

  /** Fold-in's frozen-network pass gives the gradient of the loss with respect to the user's own rows. */
  @Test
  void userInputGradientMatchesCentralDifferences() {
    NeumfNetwork net = network(Activation.GELU, 21);
    NeumfNetwork.Workspace ws = batch(net, 22);
    float[] user = new float[net.g + net.e];
    SplittableRandom rng = new SplittableRandom(5);
    for (int d = 0; d < user.length; d++) {
      user[d] = (float) rng.nextGaussian() * 0.6f;
    }
    float[] values = net.params.values();
    net.gatherForUser(values, ws, ROWS, user);
    net.forward(values, ws, ROWS, NeumfNetwork.Mode.FUSED);
    Arrays.fill(ws.dlogits, 0f);
    Losses.bceBackward(ws.dlogits, 0, ws.logits, 0, ws.labels, 0, null, 0, ROWS, 1f);
    float[] before = net.params.grads().clone();
    net.backward(values, null, ws, ROWS, NeumfNetwork.Mode.FUSED);
    assertThat(net.params.grads()).as("frozen parameters get no gradient").isEqualTo(before);
    float[] analytic = new float[user.length];
    for (int r = 0; r < ROWS; r++) {
      for (int d = 0; d < net.g; d++) {
        analytic[d] += ws.dgu[r * net.g + d];
      }
      for (int d = 0; d < net.e; d++) {
        analytic[net.g + d] += ws.dmu[r * net.e + d];
      }
    }
    GradientCheck.assertGradient("folded-in user", user, analytic, () -> {
      net.gatherForUser(values, ws, ROWS, user);
      net.forward(values, ws, ROWS, NeumfNetwork.Mode.FUSED);
      return Losses.bceForward(ws.logits, 0, ws.labels, 0, null, 0, ROWS);
    });
  }

  /** Scoring a catalogue (chunked matrix products, first layer split) gives the per-row forward's logits. */
  @Test
  void catalogueScoringAgreesWithTheRowForward() {
    NeumfConfig c = new NeumfConfig(8, 4, 3, Activation.RELU, 1, 2, 2, 0.001f, 1f, 0f, 0f, 0.3f, false, 1, 0.5f,
        0.001f, 1L, 3, 0.01f, 1, 1, 0.05f, 0, null, null);
    int items = 700; // more than one 256-item chunk, with a tail
    NeumfNetwork net = new NeumfNetwork(c, 4, items);
    net.init(c, new SplittableRandom(9));
    float[] values = net.params.values();
    NeumfNetwork.Workspace chunked = net.workspace(256);
    NeumfNetwork.Workspace single = net.workspace(1);
    float[] out = new float[items];
    for (int u = 0; u < 4; u++) {
      float[] user = new float[net.g + net.e];
      System.arraycopy(values, net.gmfUser.table().offset() + u * net.g, user, 0, net.g);
      System.arraycopy(values, net.mlpUser.table().offset() + u * net.e, user, net.g, net.e);
      net.scoreAll(values, user, 0, user, net.g, items, out, chunked, null);
      float[] projected = new float[items];
      net.scoreAll(values, user, 0, user, net.g, items, projected, chunked, net.projectItems(values, items));
      assertThat(projected).as("with the cached item projection").isEqualTo(out);
      for (int i = 0; i < items; i++) {
        single.users[0] = u;
        single.items[0] = i;
        net.gather(values, single, 1);
        net.forward(values, single, 1, NeumfNetwork.Mode.FUSED);
        assertThat(out[i]).as("user %d item %d", u, i).isCloseTo(single.logits[0], within(1e-5f));
      }
    }
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }
}
