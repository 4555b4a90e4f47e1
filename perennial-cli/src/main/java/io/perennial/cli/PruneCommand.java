package io.perennial.cli;

import io.perennial.data.DataFormatException;
import io.perennial.data.Dataset;
import io.perennial.data.FieldParsers;
import io.perennial.store.Checkpoint;
import io.perennial.store.Pruning;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perennial prune}: drop rare users and items from a trained factor model's file, or
 * magnitude-prune a deep model's dense layers ({@code --sparsity}).
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Drop the users and items of a factor model (mf, bpr, ials) with fewer events than a floor, or "
        + "unseen for a time (--unseen-for with --data), or both. Kept ids "
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

  @Option(names = "--unseen-for", paramLabel = "DURATION",
      description = "Also drop the users and items whose last event in --data is older than DURATION before the "
          + "newest event (or --as-of): 90d, 12h, 2w, 1y (365 days) or ISO-8601 P90D. Ids --data never mentions "
          + "count as unseen.")
  String unseenFor;

  @Option(names = "--as-of", paramLabel = "TIME",
      description = "With --unseen-for: measure from this time (epoch seconds or ISO-8601, e.g. 2018-09-24) instead "
          + "of the newest event in --data.")
  String asOf;

  @Option(names = "--data", paramLabel = "FILE",
      description = "With --unseen-for: the interactions whose times say when each id was last seen.")
  Path data;

  @Option(names = "--format", defaultValue = "movielens", paramLabel = "FORMAT",
      description = "--data's format, as for train. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--on-error", defaultValue = "fail", paramLabel = "POLICY",
      description = "Invalid rows of --data: fail or skip. Default: ${DEFAULT-VALUE}.")
  String onError;

  @picocli.CommandLine.Mixin LayoutOptions layout = new LayoutOptions();

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
      if (unseenFor != null) {
        throw new UserException("--unseen-for drops ids of a factor model, --sparsity prunes a deep model's weights; "
            + "give one of them");
      }
      return magnitude();
    }
    if (minUserEvents < 0 || minItemEvents < 0) {
      throw new UserException("--min-user-events and --min-item-events must be 0 or more");
    }
    if (unseenFor == null && (data != null || asOf != null)) {
      throw new UserException((data != null ? "--data" : "--as-of") + " is for --unseen-for DURATION; add it");
    }
    long window = unseenFor == null ? 0 : Durations.seconds("--unseen-for", unseenFor);
    if (unseenFor != null && data == null) {
      throw new UserException("--unseen-for needs --data: the interactions that say when each id was last seen");
    }
    Long asOfTime = null;
    if (asOf != null) {
      try {
        asOfTime = FieldParsers.timestamp(asOf, "--as-of", 0, "TIME");
      } catch (DataFormatException e) {
        throw new UserException("--as-of: '" + asOf + "' is not a time (epoch seconds or ISO-8601, e.g. 2018-09-24)");
      }
    }
    Checkpoint full = Checkpoint.read(model);
    Pruning.Result r;
    String recency = "";
    try {
      if (unseenFor == null) {
        r = Pruning.byFrequency(full, minUserEvents, minItemEvents);
      } else {
        // keep-all: every event counts towards an id's last time, the repeated ones too
        Dataset events = DataOptions.of(data, format, false, "keep-all", onError).withLayout(layout).read();
        Pruning.LastSeen seen = Pruning.LastSeen.of(full, events);
        if (seen.newest() == Pruning.LastSeen.NEVER) {
          throw new UserException(data + ": no events, so nothing says when an id was last seen");
        }
        if (asOfTime == null && seen.newest() == 0 && earliest(events) == 0) {
          throw new UserException(data + ": the events have no times (all 0); --unseen-for needs timestamps");
        }
        long reference = asOfTime != null ? asOfTime : seen.newest();
        long cutoff = reference - window;
        r = Pruning.byFrequencyAndRecency(full, minUserEvents, minItemEvents, seen, cutoff);
        recency = String.format(Locale.ROOT, "ids last seen before %s dropped", Instant.ofEpochSecond(cutoff));
      }
    } catch (IllegalArgumentException e) {
      throw new UserException(model + ": " + e.getMessage());
    }
    r.checkpoint().write(out);
    System.out.printf(Locale.ROOT, "kept %,d of %,d users and %,d of %,d items; %s instead of %s (%.1f %%); wrote %s%n",
        r.usersKept(), r.usersBefore(), r.itemsKept(), r.itemsBefore(), Quantizing.bytes(r.checkpoint().encodedBytes()),
        Quantizing.bytes(full.encodedBytes()), 100.0 * r.checkpoint().encodedBytes() / full.encodedBytes(), out);
    if (!recency.isEmpty()) {
      System.out.println("recency: " + recency + "; pruned users get the popularity fallback");
    }
    return 0;
  }

  private static long earliest(Dataset events) {
    long min = Long.MAX_VALUE;
    for (int e = 0; e < events.log().size(); e++) {
      min = Math.min(min, events.log().timestamp(e));
    }
    return min;
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
