package io.perennial.eval;

import io.perennial.data.InteractionLog;
import java.util.Arrays;
import java.util.Objects;

/**
 * One train/test partition over a shared id space, optionally with a validation part (leave-one-out
 * holds each user's second-to-last item out for early stopping).
 *
 * @param name e.g. {@code fold 2/5}
 * @param train what the model learns from
 * @param test what it is scored on
 * @param validation held out for early stopping and model selection; empty when the protocol has none
 * @param candidateItems the only items test users are ranked over (sorted, distinct), e.g. the cold
 *     items of {@code cold-items}; {@code null}: no restriction
 */
public record Split(String name, InteractionLog train, InteractionLog test, InteractionLog validation,
    int[] candidateItems) {

  /** Checks that every part is there. */
  public Split {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(validation, "validation");
    if (candidateItems != null) {
      candidateItems = Arrays.stream(candidateItems).sorted().distinct().toArray();
    }
  }

  /** A split without a candidate restriction. */
  public Split(String name, InteractionLog train, InteractionLog test, InteractionLog validation) {
    this(name, train, test, validation, null);
  }

  /** A split without a validation part. */
  public Split(String name, InteractionLog train, InteractionLog test) {
    this(name, train, test, new InteractionLog(1));
  }

  /** Whether test users are ranked over {@link #candidateItems} only. */
  public boolean restrictsCandidates() {
    return candidateItems != null;
  }

  /** Whether the protocol held out a validation part. */
  public boolean hasValidation() {
    return validation.size() > 0;
  }
}
