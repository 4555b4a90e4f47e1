package io.perennial.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Attention against its definition: gradients by central differences, the causal and padding masks
 * by perturbation, outputs against a naive loop reference, padding against the unpadded sequence.
 */
class CausalSelfAttentionTest {

  private static float[] gaussian(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      // Box-Muller from the seeded generator, so every run sees the same inputs
      double u = 1.0 - random.nextDouble();
      x[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
    }
    return x;
  }

  private static float[] forward(CausalSelfAttention attention, float[] qkv, int[] lengths, int batch, int time) {
    float[] out = new float[batch * time * attention.channels()];
    Arrays.fill(out, Float.NaN); // padding rows must be written (zeros), not left as they were
    attention.forward(out, 0, qkv, 0, lengths, batch, time);
    return out;
  }

  /** The definition, in double, with explicit loops: softmax over real keys t' ≤ t, then Σ p·v. */
  private static double[] naive(float[] qkv, int[] lengths, int batch, int time, int channels, int heads) {
    int hs = channels / heads;
    double[] out = new double[batch * time * channels];
    for (int b = 0; b < batch; b++) {
      int start = time - lengths[b];
      for (int t = start; t < time; t++) {
        for (int h = 0; h < heads; h++) {
          double[] score = new double[time];
          double max = Double.NEGATIVE_INFINITY;
          for (int u = start; u <= t; u++) {
            double s = 0;
            for (int c = 0; c < hs; c++) {
              s += qkv[(b * time + t) * 3 * channels + h * hs + c]
                  * qkv[(b * time + u) * 3 * channels + channels + h * hs + c];
            }
            score[u] = s / Math.sqrt(hs);
            max = Math.max(max, score[u]);
          }
          double sum = 0;
          for (int u = start; u <= t; u++) {
            score[u] = Math.exp(score[u] - max);
            sum += score[u];
          }
          for (int u = start; u <= t; u++) {
            for (int c = 0; c < hs; c++) {
              out[(b * time + t) * channels + h * hs + c] +=
                  score[u] / sum * qkv[(b * time + u) * 3 * channels + 2 * channels + h * hs + c];
            }
          }
        }
      }
    }
    return out;
  }

  private static void assertMatchesNaive(int heads) {
    assertMatchesNaive(heads, 6, new int[] {6, 4, 1});
  }

  private static void assertMatchesNaive(int heads, int time, int[] lengths) {
    int batch = lengths.length, channels = 8;
    float[] qkv = gaussian(batch * time * 3 * channels, 11 + heads);
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, batch, time);
    float[] out = forward(attention, qkv, lengths, batch, time);
    double[] expected = naive(qkv, lengths, batch, time, channels, heads);
    for (int i = 0; i < out.length; i++) {
      assertThat((double) out[i]).as("out[%d] with %d heads", i, heads).isCloseTo(expected[i], within(1e-5));
    }
  }

  @Test
  void oneHeadMatchesTheNaiveReference() {
    assertMatchesNaive(1);
  }

  @Test
  void fourHeadsMatchTheNaiveReference() {
    assertMatchesNaive(4);
  }

  @Test
  void sequencesLongerThanOneRowBlockMatchTheNaiveReference() {
    int r = CausalSelfAttention.ROW_BLOCK;
    // lengths at, around and across block edges, one sequence a block and a bit, one fully padded
    assertMatchesNaive(2, 2 * r + 5, new int[] {2 * r + 5, r, r + 1, 2 * r, 0, 3});
    assertMatchesNaive(1, 3 * r, new int[] {3 * r - 1});
  }

  @Test
  void gradientAcrossRowBlocksMatchesCentralDifferences() {
    int r = CausalSelfAttention.ROW_BLOCK;
    int batch = 2, time = r + 6, channels = 4, heads = 2;
    int[] lengths = {r + 6, r + 1};
    float[] qkv = gaussian(batch * time * 3 * channels, 7);
    float[] weights = gaussian(batch * time * channels, 8);
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, batch, time);
    float[] out = new float[batch * time * channels];
    attention.forward(out, 0, qkv, 0, lengths, batch, time);
    float[] dqkv = new float[qkv.length];
    attention.backward(dqkv, 0, weights, 0, qkv, 0);
    // The loss is the definition in double (naive), not this layer's float forward: with 176
    // outputs summed, float32 rounding in the difference quotient (~1e-5) reached the checker's
    // floor on the smallest gradients. Forward = definition is asserted by the naive tests.
    GradientCheck.assertGradient("qkv", qkv, dqkv, () -> {
      double[] exact = naive(qkv, lengths, batch, time, channels, heads);
      double loss = 0;
      for (int i = 0; i < exact.length; i++) {
        loss += weights[i] * exact[i];
      }
      return loss;
    });
    // the probabilities read back from the block layout are rows of a distribution over t' ≤ t
    for (int t = time - lengths[1]; t < time; t++) {
      double sum = 0;
      for (int u = 0; u < time; u++) {
        sum += attention.probability(1, 1, t, u);
      }
      assertThat(sum).as("row %d", t).isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void gradientWithRespectToQkvMatchesCentralDifferences() {
    // B=2, T=5, C=8, NH=2; the second sequence has 2 padding positions
    int batch = 2, time = 5, channels = 8, heads = 2;
    int[] lengths = {5, 3};
    float[] qkv = gaussian(batch * time * 3 * channels, 1);
    float[] weights = gaussian(batch * time * channels, 2); // L = Σ w ⊙ out, so dout = w
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, batch, time);
    float[] out = new float[batch * time * channels];
    attention.forward(out, 0, qkv, 0, lengths, batch, time);
    float[] dqkv = new float[qkv.length];
    attention.backward(dqkv, 0, weights, 0, qkv, 0);

    CausalSelfAttention probe = new CausalSelfAttention(channels, heads, batch, time);
    float[] probeOut = new float[out.length];
    double worst = GradientCheck.assertGradient("qkv", qkv, dqkv, () -> {
      probe.forward(probeOut, 0, qkv, 0, lengths, batch, time);
      double loss = 0;
      for (int i = 0; i < probeOut.length; i++) {
        loss += weights[i] * probeOut[i];
      }
      return loss;
    });
    assertThat(worst).isLessThanOrEqualTo(GradientCheck.TOLERANCE);
    // padding positions (sequence 1, t = 0, 1) get exactly no gradient
    for (int i = time * 3 * channels; i < (time + 2) * 3 * channels; i++) {
      assertThat(dqkv[i]).as("dqkv[%d] at a padding position", i).isZero();
    }
    // and the real ones do get some: the check above is not comparing zeros with zeros
    assertThat(dqkv[(time + 2) * 3 * channels + channels]).isNotZero();
  }

  @Test
  void gradientMatchesWithFourHeadsAndALengthOneSequence() {
    int batch = 2, time = 4, channels = 8, heads = 4; // HS = 2
    int[] lengths = {1, 4};
    float[] qkv = gaussian(batch * time * 3 * channels, 3);
    // the loss reads only each sequence's last output (the one SASRec scores from), which still
    // depends on every real q, k and v; summing all outputs left one tiny gradient (3.3e-4) with
    // float32 rounding noise in the difference quotient just over the checker's floor, while the
    // analytic value agreed with a double-precision difference to 2e-5
    float[] weights = new float[batch * time * channels];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(gaussian(channels, 4 + b), 0, weights, (b * time + time - 1) * channels, channels);
    }
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, batch, time);
    float[] out = new float[batch * time * channels];
    attention.forward(out, 0, qkv, 0, lengths, batch, time);
    float[] dqkv = new float[qkv.length];
    attention.backward(dqkv, 0, weights, 0, qkv, 0);
    GradientCheck.assertGradient("qkv", qkv, dqkv, () -> {
      attention.forward(out, 0, qkv, 0, lengths, batch, time);
      double loss = 0;
      for (int i = 0; i < out.length; i++) {
        loss += weights[i] * out[i];
      }
      return loss;
    });
    // a lone position attends only to itself (P = 1): dv = dout, and q and k get exactly nothing
    int last = (time - 1) * 3 * channels;
    for (int c = 0; c < channels; c++) {
      assertThat(dqkv[last + 2 * channels + c]).isEqualTo(weights[(time - 1) * channels + c]);
      assertThat(dqkv[last + c]).isZero();
      assertThat(dqkv[last + channels + c]).isZero();
    }
  }

  @Test
  void anEarlierOutputSendsNoGradientToLaterPositions() {
    int batch = 1, time = 6, channels = 8, heads = 2, t0 = 2;
    int[] lengths = {6};
    float[] qkv = gaussian(time * 3 * channels, 81);
    float[] dout = new float[time * channels];
    float[] row = gaussian(channels, 82);
    System.arraycopy(row, 0, dout, t0 * channels, channels); // only output t0 matters to the loss
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, batch, time);
    forward(attention, qkv, lengths, batch, time);
    float[] dqkv = new float[qkv.length];
    attention.backward(dqkv, 0, dout, 0, qkv, 0);
    assertThat(Arrays.copyOfRange(dqkv, (t0 + 1) * 3 * channels, dqkv.length)).containsOnly(0f);
    assertThat(Arrays.copyOfRange(dqkv, 0, (t0 + 1) * 3 * channels)).isNotEqualTo(new float[(t0 + 1) * 3 * channels]);
  }

  @Test
  void backwardAccumulatesIntoTheGradient() {
    int batch = 1, time = 4, channels = 4, heads = 2;
    int[] lengths = {4};
    float[] qkv = gaussian(time * 3 * channels, 5);
    float[] dout = gaussian(time * channels, 6);
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, batch, time);
    forward(attention, qkv, lengths, batch, time);
    float[] once = new float[qkv.length];
    attention.backward(once, 0, dout, 0, qkv, 0);
    float[] twice = once.clone();
    attention.backward(twice, 0, dout, 0, qkv, 0);
    for (int i = 0; i < once.length; i++) {
      assertThat(twice[i]).isCloseTo(2 * once[i], within(1e-6f));
    }
  }

  @Test
  void aFuturePositionDoesNotChangeEarlierOutputs() {
    for (int[] timeAndFuture : new int[][] {{6, 3}, {CausalSelfAttention.ROW_BLOCK + 8, CausalSelfAttention.ROW_BLOCK + 2}}) {
      aFuturePositionDoesNotChangeEarlierOutputs(timeAndFuture[0], timeAndFuture[1]);
    }
  }

  private void aFuturePositionDoesNotChangeEarlierOutputs(int time, int future) {
    int batch = 1, channels = 8, heads = 2;
    int[] lengths = {time};
    float[] qkv = gaussian(time * 3 * channels, 21);
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, batch, time);
    float[] before = forward(attention, qkv, lengths, batch, time);
    for (int c = 0; c < 3 * channels; c++) {
      qkv[future * 3 * channels + c] += 1.5f; // its q, k and v
    }
    float[] after = forward(attention, qkv, lengths, batch, time);
    assertThat(Arrays.copyOfRange(after, 0, future * channels))
        .containsExactly(Arrays.copyOfRange(before, 0, future * channels));
    // the perturbed position itself and later ones do change, so the probe is live
    assertThat(Arrays.copyOfRange(after, future * channels, (future + 1) * channels))
        .isNotEqualTo(Arrays.copyOfRange(before, future * channels, (future + 1) * channels));
    assertThat(after[(time - 1) * channels]).isNotEqualTo(before[(time - 1) * channels]);
    // and the cached probabilities of earlier queries put nothing on it
    assertThat(attention.probability(0, 1, future - 1, future)).isZero();
  }

  @Test
  void paddingKeysAndValuesChangeNothingAndPaddingQueriesOutputZeros() {
    int batch = 2, time = 5, channels = 8, heads = 2;
    int[] lengths = {2, 5};
    float[] qkv = gaussian(batch * time * 3 * channels, 31);
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, batch, time);
    float[] before = forward(attention, qkv, lengths, batch, time);
    for (int t = 0; t < 3; t++) { // sequence 0's padding positions: every q, k and v
      for (int c = 0; c < 3 * channels; c++) {
        qkv[t * 3 * channels + c] = 100f * (c + 1);
      }
    }
    float[] after = forward(attention, qkv, lengths, batch, time);
    assertThat(after).containsExactly(before);
    for (int i = 0; i < 3 * channels; i++) {
      assertThat(after[i]).as("padding query output %d", i).isZero();
    }
    assertThat(attention.probability(0, 0, 4, 2)).isZero();
    assertThat(attention.probability(0, 0, 4, 3) + attention.probability(0, 0, 4, 4)).isCloseTo(1f, within(1e-6f));
  }

  @Test
  void aLeftPaddedSequenceGivesTheSameOutputsAndGradientsAsUnpadded() {
    for (int[] lengthAndTime : new int[][] {{3, 7}, {CausalSelfAttention.ROW_BLOCK + 4, 2 * CausalSelfAttention.ROW_BLOCK + 3}}) {
      aLeftPaddedSequenceGivesTheSameOutputsAndGradientsAsUnpadded(lengthAndTime[0], lengthAndTime[1]);
    }
  }

  private void aLeftPaddedSequenceGivesTheSameOutputsAndGradientsAsUnpadded(int length, int padded) {
    int channels = 8, heads = 2;
    float[] real = gaussian(length * 3 * channels, 41);
    float[] dReal = gaussian(length * channels, 42);
    float[] qkvPadded = gaussian(padded * 3 * channels, 43); // padding rows hold noise, not zeros
    System.arraycopy(real, 0, qkvPadded, (padded - length) * 3 * channels, real.length);
    float[] doutPadded = gaussian(padded * channels, 44);
    System.arraycopy(dReal, 0, doutPadded, (padded - length) * channels, dReal.length);

    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, 1, padded);
    float[] outShort = forward(attention, real, new int[] {length}, 1, length);
    float[] dShort = new float[real.length];
    attention.backward(dShort, 0, dReal, 0, real, 0);
    float[] outLong = forward(attention, qkvPadded, new int[] {length}, 1, padded);
    float[] dLong = new float[qkvPadded.length];
    attention.backward(dLong, 0, doutPadded, 0, qkvPadded, 0);

    int skipOut = (padded - length) * channels;
    int skipQkv = (padded - length) * 3 * channels;
    assertThat(Arrays.copyOfRange(outLong, skipOut, outLong.length)).containsExactly(outShort);
    assertThat(Arrays.copyOfRange(dLong, skipQkv, dLong.length)).containsExactly(dShort);
    assertThat(Arrays.copyOfRange(dLong, 0, skipQkv)).containsOnly(0f);
  }

  @Test
  void anEmptySequenceOutputsZerosAndGetsNoGradient() {
    int channels = 4, heads = 1, time = 3;
    float[] qkv = gaussian(2 * time * 3 * channels, 51);
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, 2, time);
    float[] out = forward(attention, qkv, new int[] {0, 3}, 2, time);
    assertThat(Arrays.copyOfRange(out, 0, time * channels)).containsOnly(0f);
    float[] dqkv = new float[qkv.length];
    attention.backward(dqkv, 0, gaussian(out.length, 52), 0, qkv, 0);
    assertThat(Arrays.copyOfRange(dqkv, 0, time * 3 * channels)).containsOnly(0f);
    assertThat(Arrays.copyOfRange(dqkv, time * 3 * channels, dqkv.length)).isNotEqualTo(new float[time * 3 * channels]);
  }

  @Test
  void offsetsAddressViewsIntoLargerBuffers() {
    int channels = 8, heads = 2, time = 4;
    int[] lengths = {3};
    float[] qkv = gaussian(time * 3 * channels, 61);
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, 1, time);
    float[] plain = forward(attention, qkv, lengths, 1, time);
    float[] big = new float[5 + qkv.length];
    System.arraycopy(qkv, 0, big, 5, qkv.length);
    float[] out = new float[7 + plain.length];
    attention.forward(out, 7, big, 5, lengths, 1, time);
    assertThat(Arrays.copyOfRange(out, 7, out.length)).containsExactly(plain);
    assertThat(Arrays.copyOfRange(out, 0, 7)).containsOnly(0f);
  }

  @Test
  void appendingPositionsOneByOneGivesTheForwardOutputs() {
    int channels = 8, heads = 2, length = CausalSelfAttention.ROW_BLOCK + 5, padded = length + 3;
    float[] real = gaussian(length * 3 * channels, 71);
    float[] qkvPadded = gaussian(padded * 3 * channels, 72);
    System.arraycopy(real, 0, qkvPadded, (padded - length) * 3 * channels, real.length);
    CausalSelfAttention attention = new CausalSelfAttention(channels, heads, 1, padded);
    float[] full = forward(attention, qkvPadded, new int[] {length}, 1, padded);

    CausalSelfAttention.Cache cache = attention.newCache(length);
    float[] out = new float[channels];
    for (int round = 0; round < 2; round++) { // the second round after reset sees no stale keys
      for (int t = 0; t < length; t++) {
        cache.append(real, t * 3 * channels, out, 0);
        int row = (padded - length + t) * channels;
        for (int c = 0; c < channels; c++) {
          assertThat(out[c]).as("round %d position %d channel %d", round, t, c)
              .isCloseTo(full[row + c], within(1e-5f));
        }
      }
      assertThat(cache.length()).isEqualTo(length);
      assertThatThrownBy(() -> cache.append(real, 0, out, 0)).isInstanceOf(IllegalStateException.class);
      cache.reset();
    }
  }

  @Test
  void rejectsShapesItWasNotSizedFor() {
    CausalSelfAttention attention = new CausalSelfAttention(8, 2, 2, 4);
    float[] qkv = new float[3 * 5 * 24];
    float[] out = new float[3 * 5 * 8];
    assertThatThrownBy(() -> new CausalSelfAttention(8, 3, 1, 1)).hasMessageContaining("multiple of heads");
    assertThatThrownBy(() -> attention.forward(out, 0, qkv, 0, new int[] {1, 1}, 2, 5)).hasMessageContaining("time 5");
    assertThatThrownBy(() -> attention.forward(out, 0, qkv, 0, new int[] {1, 1, 1}, 3, 4)).hasMessageContaining("batch 3");
    assertThatThrownBy(() -> attention.forward(out, 0, qkv, 0, new int[] {5, 1}, 2, 4)).hasMessageContaining("validLength[0] = 5");
    assertThatThrownBy(() -> attention.backward(qkv, 0, out, 0, qkv, 0)).isInstanceOf(IllegalStateException.class);
  }
}
