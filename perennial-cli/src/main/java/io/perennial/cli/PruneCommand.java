package io.perennial.cli;

import io.perennial.store.Checkpoint;
import io.perennial.store.Pruning;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code perennial prune}: drop rare users and items from a trained factor model's file. */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Drop the users and items of a factor model (mf, bpr, ials) with fewer events than a floor. Kept ids "
        + "score exactly as before; pruned users get the popularity fallback and pruned items are not recommended."})
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

  @Override
  public Integer call() {
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
}
