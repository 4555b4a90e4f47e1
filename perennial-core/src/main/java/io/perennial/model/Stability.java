package io.perennial.model;

/**
 * Forgetting protection for a fine-tune ({@link Update#stability()}, honoured by {@link
 * Recommender#partialFit(Update)}).
 *
 * @param anchor strength of an L2 pull of every updated row toward its value before the update
 *     (0 = off)
 * @param fisherWeighted weight the pull per parameter by a diagonal Fisher estimate, i.e. the mean
 *     squared gradient on past events (elastic weight consolidation, Kirkpatrick et al., PNAS 2017)
 * @param distillation weight of a distillation term: on users from the replayed past, a teacher
 *     model scores random item pairs and the updated model is trained to keep its preference (Li
 *     and Hoiem, "Learning without Forgetting", 2016) (0 = off)
 * @param teacherUpdates how many updates one teacher serves before the live model replaces it. 1
 *     makes the teacher the model just before each update; a fine-tune moves it so little that
 *     its scores are nearly the student's own, and forgetting, which accumulates over many small
 *     updates, goes through. An older teacher holds what those updates wear away.
 */
public record Stability(float anchor, boolean fisherWeighted, float distillation, int teacherUpdates) {

  /** Teachers serve this many updates unless told otherwise (docs/BENCHMARKS.md, "Forgetting protection"). */
  public static final int DEFAULT_TEACHER_UPDATES = 50;

  public Stability {
    if (anchor < 0 || distillation < 0 || !Float.isFinite(anchor) || !Float.isFinite(distillation)) {
      throw new IllegalArgumentException("anchor and distillation must be finite and >= 0");
    }
    if (teacherUpdates < 1) {
      throw new IllegalArgumentException("teacherUpdates must be >= 1");
    }
  }

  /** With the default teacher lifetime. */
  public Stability(float anchor, boolean fisherWeighted, float distillation) {
    this(anchor, fisherWeighted, distillation, DEFAULT_TEACHER_UPDATES);
  }

  /** No protection: plain fine-tuning. */
  public static Stability none() {
    return new Stability(0, false, 0);
  }

  public boolean active() {
    return anchor > 0 || distillation > 0;
  }
}
