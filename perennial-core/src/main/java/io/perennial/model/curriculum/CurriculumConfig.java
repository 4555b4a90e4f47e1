package io.perennial.model.curriculum;

/**
 * A model's {@code "curriculum"} config member: {@code {"scorer": "popularity", "pacing": "root",
 * "start": 0.3, "fullAt": 5, "anti": false}}.
 *
 * @param scorer popularity, activity, self-paced or teacher ({@link DifficultyScorer})
 * @param pacing linear, root or step ({@link Pacing})
 * @param start share of the examples (easiest first) epoch 0 trains on, in {@code (0, 1]}; 0 means the
 *     default 0.3
 * @param fullAt first epoch (0-based) that trains on all examples; 0 means the default 5
 * @param anti hardest first instead (anti-curriculum, the control)
 * @param steps buckets of the step pacing; 0 means the default 4
 * @param negatives sampled negatives per positive when a ranking model's margin is the difficulty
 *     (self-paced and teacher for BPR and NeuMF); 0 means the default 8
 */
public record CurriculumConfig(String scorer, String pacing, float start, int fullAt, boolean anti, int steps,
    int negatives) {

  public CurriculumConfig {
    if (scorer == null) {
      throw new IllegalArgumentException("curriculum.scorer is required (popularity, activity, self-paced or teacher)");
    }
    scorer = DifficultyScorer.parse(scorer).configName();
    pacing = pacing == null ? Pacing.ROOT.configName() : Pacing.parse(pacing).configName();
    if (start == 0) {
      start = 0.3f;
    }
    if (!(start > 0 && start <= 1)) {
      throw new IllegalArgumentException("curriculum.start must be in (0, 1], got " + start);
    }
    if (fullAt == 0) {
      fullAt = 5;
    }
    if (fullAt < 1) {
      throw new IllegalArgumentException("curriculum.fullAt must be >= 1, got " + fullAt);
    }
    if (steps == 0) {
      steps = 4;
    }
    if (steps < 1) {
      throw new IllegalArgumentException("curriculum.steps must be >= 1, got " + steps);
    }
    if (negatives == 0) {
      negatives = 8;
    }
    if (negatives < 1) {
      throw new IllegalArgumentException("curriculum.negatives must be >= 1, got " + negatives);
    }
  }

  /** The scorer and pacing with the other fields at their defaults. */
  public static CurriculumConfig of(String scorer, String pacing) {
    return new CurriculumConfig(scorer, pacing, 0, 0, false, 0, 0);
  }

  /**
   * Parses the command-line form {@code scorer:pacing[:start[:fullAt]]}, with an {@code anti-} prefix
   * on the scorer for the anti-curriculum ({@code anti-popularity:root:0.3:5}).
   */
  public static CurriculumConfig parse(String spec) {
    String[] parts = spec.split(":", -1);
    if (parts.length < 1 || parts.length > 4 || parts[0].isEmpty()) {
      throw new IllegalArgumentException("expected scorer:pacing[:start[:fullAt]], got '" + spec + "'");
    }
    String scorer = parts[0];
    boolean anti = false;
    if (scorer.startsWith("anti-")) {
      anti = true;
      scorer = scorer.substring("anti-".length());
    }
    String pacing = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
    float start = 0;
    int fullAt = 0;
    try {
      if (parts.length > 2) {
        start = Float.parseFloat(parts[2]);
      }
      if (parts.length > 3) {
        fullAt = Integer.parseInt(parts[3]);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("start must be a number and fullAt a whole number in '" + spec + "'");
    }
    if (parts.length > 2 && start == 0) {
      throw new IllegalArgumentException("curriculum start must be in (0, 1], got 0");
    }
    return new CurriculumConfig(scorer, pacing, start, fullAt, anti, 0, 0);
  }

  public DifficultyScorer difficultyScorer() {
    return DifficultyScorer.parse(scorer);
  }

  public Pacing pacingFunction() {
    return Pacing.parse(pacing);
  }
}
