package io.perennial.model.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.kernel.TopK;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Recommender;
import io.perennial.model.UserHistory;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.sasrec.SasrecTrainer;
import java.util.Arrays;

/**
 * Trains a small student from a big teacher: the teacher on the training data, then the student on
 * the same data plus, for every user, the teacher's {@code samples} best-scored items the user has
 * not interacted with, each as an extra implicit interaction whose value is {@code weight} times the
 * teacher's score relative to the best of them. For iALS that is the teacher's soft labels folded
 * into the confidence-weighted least squares the student solves exactly (iALS has no gradient step
 * to add BPR's distillation term to); any other student learns from them as from data.
 *
 * <p>A SASRec student of a SASRec teacher learns instead from the teacher's softmax over each
 * step's sampled items at every target position, {@code weight} times that KL divergence added to
 * its own loss ({@link SasrecTrainer#fitStudent}); {@code samples} does not apply there (the
 * student's {@code negatives} are the sampled items).
 *
 * <p>The returned model is the student alone, of the student's type; the teacher is dropped.
 */
public final class DistillationTrainer implements Trainer {

  private final Trainer teacher;
  private final Trainer student;
  private final int samples;
  private final float weight;

  /**
   * @param samples teacher-ranked items added per user (≥ 1)
   * @param weight value of the best of them (the rest in proportion to their teacher score)
   */
  public DistillationTrainer(Trainer teacher, Trainer student, int samples, float weight) {
    if (samples < 1 || !(weight > 0) || !Float.isFinite(weight)) {
      throw new IllegalArgumentException("distillation needs samples ≥ 1 and a positive weight, got " + samples
          + " and " + weight);
    }
    this.teacher = teacher;
    this.student = student;
    this.samples = samples;
    this.weight = weight;
  }

  @Override
  public String type() {
    return student.type();
  }

  /** The student's config, with the teacher's and the distillation settings beside it. */
  @Override
  public JsonNode configJson() {
    ObjectNode json = student.configJson().deepCopy();
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("teacher", teacher.type());
    d.set("teacherConfig", teacher.configJson());
    d.put("samples", samples);
    d.put("weight", weight);
    json.set("distillation", d);
    return json;
  }

  @Override
  public Recommender fit(Dataset train, TrainingOptions options) {
    if (teacher instanceof SasrecTrainer t && student instanceof SasrecTrainer s) {
      // a sequence model learns from the teacher's next-item distribution at every position
      return s.fitStudent(train, options, t.fit(train, options), weight);
    }
    Recommender taught = teacher.fit(train, options);
    Dataset augmented = train.withLog(withTeacherLabels(train, taught));
    Recommender learned = student.fit(augmented, options);
    if (learned instanceof AbstractRecommender r) {
      // the labels taught the student; what the user has seen is still only the data
      r.replaceInteractions(UserHistory.of(train.byUser()), AbstractRecommender.countItems(train.log(), train.itemCount()));
    }
    return learned;
  }

  /** The training log followed by the teacher's soft labels for every user it knows. */
  InteractionLog withTeacherLabels(Dataset train, Recommender taught) {
    InteractionLog log = train.log();
    int users = train.userCount();
    int items = train.itemCount();
    long[] lastSeen = new long[users];
    Arrays.fill(lastSeen, Long.MIN_VALUE);
    for (int e = 0; e < log.size(); e++) {
      lastSeen[log.user(e)] = Math.max(lastSeen[log.user(e)], log.timestamp(e));
    }
    InteractionLog out = log.copy();
    float[] scores = new float[items];
    int[] ids = new int[samples];
    float[] best = new float[samples];
    var byUser = train.byUser();
    for (int u = 0; u < users; u++) {
      if (lastSeen[u] == Long.MIN_VALUE) {
        continue; // the teacher knows nothing of this user beyond popularity
      }
      taught.scoreItems(u, scores);
      TopK top = new TopK(samples);
      int[] seen = byUser.rowColumns(u);
      int s = 0;
      for (int i = 0; i < items; i++) {
        while (s < seen.length && seen[s] < i) {
          s++;
        }
        if ((s < seen.length && seen[s] == i) || !Float.isFinite(scores[i])) {
          continue;
        }
        top.offer(i, scores[i]);
      }
      int n = top.size();
      top.drainTo(ids, best);
      float max = n == 0 ? 0 : best[0];
      for (int r = 0; r < n && max > 0; r++) {
        float label = weight * Math.max(0, best[r]) / max;
        if (label > 0) {
          out.add(u, ids[r], label, lastSeen[u], InteractionType.VIEW);
        }
      }
    }
    return out;
  }

  /** Parameters of a factor model with these counts: the size a student is compared by. */
  public static long factorParameters(int users, int items, int factors) {
    return (long) (users + items) * factors;
  }
}
