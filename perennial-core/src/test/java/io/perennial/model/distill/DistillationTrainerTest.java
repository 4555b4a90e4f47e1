package io.perennial.model.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Fixtures;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import org.junit.jupiter.api.Test;

/** The student loop on the checkerboard: a 2-factor iALS taught by a 16-factor one. */
class DistillationTrainerTest {

  private static Trainer ials(int factors) {
    return Algorithms.trainer("ials", JsonNodeFactory.instance.objectNode().put("factors", factors));
  }

  @Test
  void teacherLabelsAreUnseenItemsScaledToTheWeight() {
    Dataset data = Fixtures.implicitCheckerboard(4);
    DistillationTrainer d = new DistillationTrainer(ials(16), ials(2), 5, 0.5f);
    Recommender teacher = ials(16).fit(data);
    InteractionLog labelled = d.withTeacherLabels(data, teacher);
    InteractionLog original = data.log();
    assertThat(labelled.size()).isGreaterThan(original.size()).isLessThanOrEqualTo(original.size() + 5 * Fixtures.USERS);
    var byUser = data.byUser();
    for (int e = original.size(); e < labelled.size(); e++) {
      int u = labelled.user(e);
      assertThat(byUser.contains(u, labelled.item(e))).as("label on a seen item").isFalse();
      assertThat(labelled.value(e)).isGreaterThan(0f).isLessThanOrEqualTo(0.5f);
      // the teacher learned the blocks: its best unseen items are in the user's own group
      assertThat(Fixtures.itemGroup(labelled.item(e))).isEqualTo(Fixtures.userGroup(u));
    }
    for (int e = 0; e < original.size(); e++) {
      assertThat(labelled.item(e)).isEqualTo(original.item(e));
    }
  }

  @Test
  void theStudentIsSmallAndLearnsTheCheckerboard() {
    Dataset data = Fixtures.implicitCheckerboard(4);
    DistillationTrainer d = new DistillationTrainer(ials(16), ials(2), 10, 0.5f);
    Recommender student = d.fit(data);
    assertThat(student.type()).isEqualTo("ials");
    assertThat(((FactorModel) student).factors()).isEqualTo(2);
    assertThat(d.configJson().path("distillation").path("teacherConfig").path("factors").asInt()).isEqualTo(16);
    assertThat(DistillationTrainer.factorParameters(student.userCount(), student.itemCount(), 2))
        .isEqualTo((Fixtures.USERS + Fixtures.ITEMS) * 2L);
    double taught = inGroupShare(student);
    double alone = inGroupShare(ials(2).fit(data));
    System.out.println("in-group share of the top 5: student " + taught + ", same size alone " + alone);
    assertThat(taught).isGreaterThan(0.95);
  }

  /** Share of each user's top 5 in the user's own block. */
  private static double inGroupShare(Recommender model) {
    int inGroup = 0;
    int total = 0;
    for (int u = 0; u < Fixtures.USERS; u++) {
      Recommendations r = model.recommend(u, 5, true, null);
      for (int id : r.ids()) {
        inGroup += Fixtures.itemGroup(id) == Fixtures.userGroup(u) ? 1 : 0;
        total++;
      }
    }
    return (double) inGroup / total;
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new DistillationTrainer(ials(4), ials(2), 0, 1f)).hasMessageContaining("samples");
    assertThatThrownBy(() -> new DistillationTrainer(ials(4), ials(2), 3, Float.NaN)).hasMessageContaining("weight");
  }
}
