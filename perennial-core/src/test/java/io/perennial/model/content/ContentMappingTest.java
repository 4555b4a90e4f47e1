package io.perennial.model.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The ridge map on a generated world whose item vectors are a known linear function of content. */
class ContentMappingTest {

  @Test
  void recoversAKnownLinearMapOnItemsItNeverSaw() {
    int items = 600;
    int dims = 40;
    int outputs = 8;
    SplittableRandom random = new SplittableRandom(3);
    float[][] dense = new float[items][dims];
    for (float[] row : dense) {
      // sparse content: five active terms per item
      for (int n = 0; n < 5; n++) {
        row[random.nextInt(dims)] = 1f + (float) random.nextDouble();
      }
    }
    ItemFeatures features = ItemFeatures.ofDense(dense, dims);
    float[] truth = new float[(dims + 1) * outputs];
    for (int k = 0; k < truth.length; k++) {
      truth[k] = (float) random.nextGaussian();
    }
    ContentMapping known = new ContentMapping(dims, outputs, truth);
    float[] targets = new float[items * outputs];
    for (int i = 0; i < items; i++) {
      known.map(features, i, targets, i * outputs);
    }
    int[] warm = IntStream.range(0, 500).toArray();
    ContentMapping fitted = ContentMapping.fit(features, warm, targets, outputs, 1e-3, 200);
    double error = 0;
    double size = 0;
    float[] mapped = new float[outputs];
    for (int i = 500; i < items; i++) {
      fitted.map(features, i, mapped, 0);
      for (int o = 0; o < outputs; o++) {
        double d = mapped[o] - targets[i * outputs + o];
        error += d * d;
        size += targets[i * outputs + o] * targets[i * outputs + o];
      }
    }
    assertThat(Math.sqrt(error / size)).as("relative error on the 100 held-out items").isLessThan(0.05);
  }

  @Test
  void aStrongRidgeShrinksTowardTheMeanVector() {
    int items = 200;
    float[][] dense = new float[items][4];
    float[] targets = new float[items * 2];
    for (int i = 0; i < items; i++) {
      dense[i][i % 4] = 1f;
      targets[i * 2] = i % 4;
      targets[i * 2 + 1] = 1f;
    }
    ItemFeatures features = ItemFeatures.ofDense(dense, 4);
    int[] all = IntStream.range(0, items).toArray();
    float[] weak = new float[2];
    float[] strong = new float[2];
    ContentMapping.fit(features, all, targets, 2, 1e-3, 50).map(features, 3, weak, 0);
    ContentMapping.fit(features, all, targets, 2, 1e4, 50).map(features, 3, strong, 0);
    assertThat(weak[0]).isCloseTo(3f, org.assertj.core.api.Assertions.within(0.01f));
    assertThat(Math.abs(strong[0] - 1.5f)).isLessThan(Math.abs(weak[0] - 1.5f));
  }
}
