package io.perennial.model;

/**
 * Forgetting protection for a fine-tune ({@link Recommender#partialFit(io.perennial.data.InteractionLog,
 * io.perennial.data.InteractionLog, int, int, Stability)}).
 *
 * @param anchor strength of an L2 pull of every updated row toward its value before the update
 *     (0 = off)
 * @param fisherWeighted weight the pull per parameter by a diagonal Fisher estimate, i.e. the mean
 *     squared gradient on past events (elastic weight consolidation, Kirkpatrick et al., PNAS 2017)
 * @param distillation weight of a distillation term: on users from the replayed past, the model
 *     before the update scores random item pairs and the updated model is trained to keep its
 *     preference (Li and Hoiem, "Learning without Forgetting", 2016) (0 = off)
 */
public record Stability(float anchor, boolean fisherWeighted, float distillation) {

  public Stability {
    if (anchor < 0 || distillation < 0 || !Float.isFinite(anchor) || !Float.isFinite(distillation)) {
      throw new IllegalArgumentException("anchor and distillation must be finite and >= 0");
    }
  }

  /** No protection: plain fine-tuning. */
  public static Stability none() {
    return new Stability(0, false, 0);
  }

  public boolean active() {
    return anchor > 0 || distillation > 0;
  }
}
