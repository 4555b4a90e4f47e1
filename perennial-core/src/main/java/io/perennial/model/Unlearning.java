package io.perennial.model;

/**
 * What forgetting one user did to a model, and how strong a guarantee it gives.
 *
 * @param guarantee {@link Guarantee#EXACT} when every parameter the user influenced was recomputed
 *     without them (given the other rows), {@link Guarantee#APPROXIMATE} when some parameters keep a
 *     trace of the user until the model is retrained without their events
 * @param itemsTouched distinct items the user had interacted with
 * @param itemsResolved items whose rows were recomputed or refitted on the other users' events
 * @param itemsReset items only the user had touched, put back to the prior (zero row and bias)
 * @param method one line saying what was done, for the audit record
 */
public record Unlearning(Guarantee guarantee, int itemsTouched, int itemsResolved, int itemsReset, String method) {

  /** How completely a user's influence left the parameters. */
  public enum Guarantee {
    /** Recomputed without the user: the item rows are what training without them gives for the other rows. */
    EXACT,
    /** First-order removal: a retrain on the remaining events is needed for an exact result. */
    APPROXIMATE;

    /** Lower-case name, as reported in JSON. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Whether only a retrain without the user's events removes their influence completely. */
  public boolean needsRetrain() {
    return guarantee == Guarantee.APPROXIMATE;
  }

  /** The result for a user the model never held. */
  public static Unlearning nothingToForget() {
    return new Unlearning(Guarantee.EXACT, 0, 0, 0, "the model held nothing of the user");
  }
}
