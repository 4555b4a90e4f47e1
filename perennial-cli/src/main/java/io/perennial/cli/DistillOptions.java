package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.model.Algorithms;
import io.perennial.model.Trainer;
import io.perennial.model.distill.DistillationTrainer;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --distill-from}: train the model as a student of a bigger teacher (train and evaluate). */
final class DistillOptions {

  @Option(names = "--distill-from", paramLabel = "MODEL",
      description = "Train the --model as a student of this teacher (e.g. ials with --teacher-config "
          + "{\"factors\": 256}): the teacher is trained on the same data, and the student on the data plus the "
          + "teacher's --distill-samples best items per user as soft labels. A sasrec student of a sasrec teacher "
          + "(e.g. --config {\"factors\": 32}, --teacher-config {\"factors\": 128}) instead matches the teacher's "
          + "softmax over each step's sampled items at every position, --distill-weight times that KL divergence "
          + "added to its own loss.")
  String teacher;

  @Option(names = "--teacher-config", paramLabel = "FILE", description = "JSON config overrides of the teacher.")
  Path teacherConfig;

  @Option(names = "--distill-samples", defaultValue = "50", paramLabel = "N",
      description = "Teacher-ranked items added per user. Default: ${DEFAULT-VALUE}.")
  int samples;

  @Option(names = "--distill-weight", defaultValue = "0.5", paramLabel = "W",
      description = "Value of the teacher's best item for a user (the rest in proportion to their score); for a "
          + "sasrec student of a sasrec teacher, the weight of the KL term. Default: ${DEFAULT-VALUE}.")
  float weight;

  boolean active() {
    return teacher != null;
  }

  /** {@code student} wrapped in the distillation, or as it is without {@code --distill-from}. */
  Trainer wrap(Trainer student) {
    if (teacher == null) {
      return student;
    }
    if (!Algorithms.NAMES.contains(teacher)) {
      throw new UserException("--distill-from: unknown model '" + teacher + "' (expected one of " + Algorithms.NAMES + ")");
    }
    if (samples < 1) {
      throw new UserException("--distill-samples must be at least 1, got " + samples);
    }
    if (!(weight > 0) || !Float.isFinite(weight)) {
      throw new UserException("--distill-weight must be a positive number, got " + weight);
    }
    JsonNode overrides = ConfigFiles.overrides(teacherConfig, teacher, 1);
    return new DistillationTrainer(Algorithms.trainer(teacher, overrides), student, samples, weight);
  }
}
