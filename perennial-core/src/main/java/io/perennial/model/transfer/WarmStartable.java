package io.perennial.model.transfer;

import io.perennial.data.Dataset;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingOptions;

/** A trainer that can start from given table rows ({@link PretrainedTrainer} needs one). */
public interface WarmStartable {

  /** Trains on {@code train} starting from {@code start}'s rows and fine-tuning as it says. */
  Recommender fit(Dataset train, TrainingOptions options, WarmStart start);

  /** Whether this trainer supports {@code mode} (iALS has a prior instead of a learning-rate ratio). */
  boolean supports(FineTune.Mode mode);

  /**
   * Throws {@link IllegalArgumentException} with a message for the user when this trainer cannot
   * start from {@code source} as asked (the wrong kind of model, other widths or layer shapes, an
   * unknown layer name). The default is the factor models' rule: an ials, bpr or mf source with the
   * config's factor count.
   */
  default void checkSource(SourceModel source, FineTune fineTune, boolean matchUsers) {
    PretrainedTrainer.checkFactorSource((io.perennial.model.Trainer) this, source);
  }
}
