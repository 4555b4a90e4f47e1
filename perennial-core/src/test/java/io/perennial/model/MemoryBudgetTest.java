package io.perennial.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryBudgetTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Trainer trainer(String model, String overrides) throws Exception {
    return Algorithms.trainer(model, JSON.readTree(overrides));
  }

  /** The case, for every model whose config sizes its tables. */
  @ParameterizedTest
  @ValueSource(strings = {"mf", "bpr", "ials"})
  void hundredMillionFactorsAreRefusedBeforeAllocating(String model) throws Exception {
    Dataset data = Fixtures.explicitCheckerboard(1);
    Trainer trainer = trainer(model, "{\"factors\": 100000000}");
    assertThatThrownBy(() -> trainer.fit(data))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(model + " with this config needs about ")
        .hasMessageContaining("for 60 users × 80 items, more than the heap maximum of ")
        .hasMessageEndingWith("give the JVM more heap (-Xmx)");
  }

  @Test
  void itemKnnWithHugeNeighbourCountsIsSizedByTheCatalogue() throws Exception {
    Trainer huge = trainer("itemknn", "{\"neighbours\": 2000000000, \"threads\": 1}");
    Trainer all = trainer("itemknn", "{\"neighbours\": 79, \"threads\": 1}");
    assertThat(huge.estimatedBytes(60, 80, 1000)).isEqualTo(all.estimatedBytes(60, 80, 1000));
    assertThatCode(() -> huge.fit(Fixtures.implicitCheckerboard(1))).doesNotThrowAnyException();
  }

  @Test
  void factorEstimatesCountTheOptimiserState() throws Exception {
    long sgd = trainer("mf", "{\"factors\": 10, \"optimizer\": \"SGD\"}").estimatedBytes(100, 50, 0);
    long adam = trainer("mf", "{\"factors\": 10, \"optimizer\": \"ADAM\"}").estimatedBytes(100, 50, 0);
    // tables (100 + 50) × 10 floats, the transposed items 50 × 10, Adam's two moments
    assertThat(sgd).isEqualTo((150 * 10 + 50 * 10) * 4L);
    assertThat(adam - sgd).isEqualTo(2 * 150 * 10 * 4L);
  }

  @Test
  void theMessageGivesBothFiguresInBinaryUnits() {
    assertThatThrownBy(() -> MemoryBudget.check("bpr", 3L << 40, 610, 9_724, 4L << 30))
        .hasMessage("bpr with this config needs about 3.0 TiB for 610 users × 9,724 items, more than"
            + " the heap maximum of 4.0 GiB: make the model smaller or give the JVM more heap (-Xmx)");
    assertThatCode(() -> MemoryBudget.check("bpr", 4L << 30, 1, 1, 4L << 30)).doesNotThrowAnyException();
  }

  @Test
  void sizesSaturateInsteadOfOverflowing() {
    assertThat(MemoryBudget.times(1L << 40, 1L << 40)).isEqualTo(Long.MAX_VALUE);
    assertThat(MemoryBudget.plus(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(MemoryBudget.times(3, 4)).isEqualTo(12);
  }

  @Test
  void aTableLongerThanAJavaArrayIsRefusedNotWrapped() {
    // 610 × 100,000,000 wraps to a negative int: a NegativeArraySizeException before this check
    assertThatThrownBy(() -> FactorModel.randomTable(610, 100_000_000, new SplittableRandom(1), 0.1f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the factor table of 610 × 100,000,000 entries exceeds the largest Java array"
            + " (2,147,483,639 entries)");
  }
}
