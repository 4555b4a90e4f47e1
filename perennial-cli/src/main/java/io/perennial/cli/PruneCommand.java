package io.perennial.cli;

import io.perennial.store.Checkpoint;
import io.perennial.store.Pruning;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perennial prune}: drop rare users and items from a trained factor model's file, or
 * magnitude-prune a deep model's dense layers ({@code --sparsity}).
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Drop the users and items of a factor model (mf, bpr, ials) with fewer events than a floor. Kept ids "
        + "score exactly as before; pruned users get the popularity fallback and pruned items are not recommended.",
        "With --sparsity S (neumf, sasrec): set the fraction S of each dense layer's smallest weights to zero and "
        + "fine-tune with them held at zero (the mask stays in the file, so later updates keep them zero)."})
final class PruneCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Checkpoint to prune.")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Pruned checkpoint to write.")
  Path out;

  @Option(names = "--min-user-events", defaultValue = "1", paramLabel = "N",
      description = "Keep users with at least N distinct items. Default: ${DEFAULT-VALUE}.")
  int minUserEvents;

  @Option(names = "--min-item-events", defaultValue = "1", paramLabel = "N",
      description = "Keep items with at least N events. Default: ${DEFAULT-VALUE}.")
  int minItemEvents;

  @Option(names = "--sparsity", paramLabel = "S",
      description = "neumf/sasrec: fraction of each dense layer's weights to prune by magnitude, in [0, 1).")
  Double sparsity;

  @Option(names = "--fine-tune-passes", defaultValue = "1", paramLabel = "N",
      description = "With --sparsity: partialFit passes over the stored histories after pruning (each is the "
          + "model's partialFitEpochs epochs). Default: ${DEFAULT-VALUE}.")
  int fineTunePasses;

  @Override
  public Integer call() {
    if (sparsity != null) {
      return magnitude();
    }
    if (minUserEvents < 0 || minItemEvents < 0) {
      throw new UserException("--min-user-events and --min-item-events must be 0 or more");
    }
    Checkpoint full = Checkpoint.read(model);
    Pruning.Result r;
    try {
      r = Pruning.byFrequency(full, minUserEvents, minItemEvents);
    } catch (IllegalArgumentException e) {
      throw new UserException(model + ": " + e.getMessage());
    }
    r.checkpoint().write(out);
    System.out.printf(Locale.ROOT, "kept %,d of %,d users and %,d of %,d items; %s instead of %s (%.1f %%); wrote %s%n",
        r.usersKept(), r.usersBefore(), r.itemsKept(), r.itemsBefore(), Quantizing.bytes(r.checkpoint().encodedBytes()),
        Quantizing.bytes(full.encodedBytes()), 100.0 * r.checkpoint().encodedBytes() / full.encodedBytes(), out);
    return 0;
  }

  private int magnitude() {
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw new UserException("--sparsity: must be in [0, 1), got " + sparsity);
    }
    if (fineTunePasses < 0) {
      throw new UserException("--fine-tune-passes: must be 0 or more, got " + fineTunePasses);
    }
    Checkpoint full = Checkpoint.read(model);
    Pruning.Sparsified r;
    try {
      r = Pruning.magnitude(full, sparsity, fineTunePasses,
          pass -> System.out.printf(Locale.ROOT, "fine-tune pass %d/%d done%n", pass, fineTunePasses));
    } catch (IllegalArgumentException e) {
      throw new UserException(model + ": " + e.getMessage());
    }
    r.checkpoint().write(out);
    // the file stores the tensors dense; the sparse size is what a sparse encoding would take
    long sparseBytes = 4 * (r.parameters() - r.prunedWeights()) + r.prunableWeights() / 8;
    System.out.printf(Locale.ROOT, "pruned %,d of %,d dense-layer weights (%.1f %%); %,d of %,d parameters non-zero; "
        + "as sparse tensors %s instead of %s; wrote %s%n", r.prunedWeights(), r.prunableWeights(), 100 * r.sparsity(),
        r.parameters() - r.prunedWeights(), r.parameters(), Quantizing.bytes(sparseBytes),
        Quantizing.bytes(4 * r.parameters()), out);
    return 0;
  }
}
