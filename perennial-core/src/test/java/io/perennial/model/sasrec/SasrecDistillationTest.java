package io.perennial.model.sasrec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.perennial.data.Dataset;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingOptions;
import io.perennial.model.distill.DistillationTrainer;
import org.junit.jupiter.api.Test;

/**
 * The SASRec student loop on the chain world ({@link SasrecModelTest#chains}): a d 8, one-block
 * student of a d 32, two-block teacher, trained 15 epochs with and without the teacher's
 * softmax; with it the student's next-item distribution must be closer to the teacher's.
 */
class SasrecDistillationTest {

  private static SasrecTrainer sasrec(int factors, int blocks, int epochs) {
    return (SasrecTrainer) Algorithms.trainer("sasrec", JsonNodeFactory.instance.objectNode()
        .put("factors", factors).put("blocks", blocks).put("epochs", epochs).put("negatives", 256));
  }

  @Test
  void theDistilledStudentIsCloserToItsTeacherThanTheSameStudentAlone() {
    Dataset data = SasrecModelTest.chains(11);
    SasrecModel teacher = sasrec(32, 2, 30).fit(data, TrainingOptions.silent());
    SasrecModel taught = sasrec(8, 1, 15).fitStudent(data, TrainingOptions.silent(), teacher, 4f);
    SasrecModel alone = sasrec(8, 1, 15).fit(data, TrainingOptions.silent());
    double klTaught = meanKl(teacher, taught);
    double klAlone = meanKl(teacher, alone);
    System.out.printf("KL(teacher || student) over all items: distilled %.3f, alone %.3f%n", klTaught, klAlone);
    // measured 2.91 against 3.06: the teacher is far sharper than any d 8 student, so the gap is small
    assertThat(klTaught).isLessThan(0.97 * klAlone);
    // the student is a quarter of the width: well under a quarter of the parameters
    assertThat(taught.parameterCount()).isLessThan(teacher.parameterCount() / 4);
    long items = teacher.itemCount();
    assertThat(teacher.embeddingParameters()).isEqualTo((items + teacher.network().maxLength()) * 32L);
    assertThat(taught.network().maxLength()).isEqualTo(teacher.network().maxLength());
  }

  @Test
  void distillationTrainerPicksTheSequenceLossForTwoSasrecModels() {
    Dataset data = SasrecModelTest.chains(12);
    DistillationTrainer d = new DistillationTrainer(sasrec(16, 1, 3), sasrec(8, 1, 2), 50, 0.5f);
    Recommender student = d.fit(data);
    assertThat(student).isInstanceOf(SasrecModel.class);
    assertThat(((SasrecModel) student).network().channels()).isEqualTo(8);
    assertThat(d.configJson().path("distillation").path("teacherConfig").path("factors").asInt()).isEqualTo(16);
  }

  @Test
  void aStudentReadingLongerSequencesThanItsTeacherIsRefused() {
    Dataset data = SasrecModelTest.chains(13);
    SasrecModel teacher = sasrec(16, 1, 1).fit(data, TrainingOptions.silent());
    SasrecTrainer longer = (SasrecTrainer) Algorithms.trainer("sasrec", JsonNodeFactory.instance.objectNode()
        .put("factors", 8).put("epochs", 1).put("maxLength", teacher.network().maxLength() + 1));
    assertThatThrownBy(() -> longer.fitStudent(data, TrainingOptions.silent(), teacher, 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLength");
  }

  /** Mean over users of KL(softmax(teacher scores) ‖ softmax(student scores)) over every item. */
  private static double meanKl(SasrecModel teacher, SasrecModel student) {
    int items = teacher.itemCount();
    float[] t = new float[items];
    float[] s = new float[items];
    double sum = 0;
    for (int u = 0; u < teacher.userCount(); u++) {
      teacher.scoreItems(u, t);
      student.scoreItems(u, s);
      double tl = lse(t);
      double sl = lse(s);
      double kl = 0;
      for (int i = 0; i < items; i++) {
        double lq = t[i] - tl;
        kl += Math.exp(lq) * (lq - (s[i] - sl));
      }
      sum += kl;
    }
    return sum / teacher.userCount();
  }

  private static double lse(float[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : x) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }
}
