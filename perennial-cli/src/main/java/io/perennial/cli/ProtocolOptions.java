package io.perennial.cli;

import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.DatasetBuilder;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionReaders;
import io.perennial.eval.Candidates;
import io.perennial.eval.Protocol;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --protocol} and its parameters. */
final class ProtocolOptions {

  @Option(names = "--protocol", defaultValue = "user-temporal", paramLabel = "NAME",
      description = "random, kfold, temporal, user-temporal, loo, cold-items, cold-users, folds. Default: ${DEFAULT-VALUE}.")
  String protocol;

  @Option(names = "--cold-fraction", defaultValue = "0.1", paramLabel = "F",
      description = "cold-items: share of the rated items made cold (all their events test; candidates are the cold "
          + "items only); cold-users: share of the users with more than --cold-user-events events made cold. "
          + "Seeded by --split-seed. Default: ${DEFAULT-VALUE}.")
  double coldFraction;

  @Option(names = "--cold-user-events", defaultValue = "3", paramLabel = "K",
      description = "cold-users: training events kept per cold user (their earliest K). Default: ${DEFAULT-VALUE}.")
  int coldUserEvents;

  @Option(names = "--folds", defaultValue = "5", paramLabel = "N",
      description = "Folds for kfold; for 'folds', how many uN.base/uN.test pairs to use. Default: ${DEFAULT-VALUE}.")
  int folds;

  @Option(names = "--train-fraction", defaultValue = "0.8", paramLabel = "F",
      description = "Training share for random, temporal and user-temporal. Default: ${DEFAULT-VALUE}.")
  double trainFraction;

  @Option(names = "--split-seed", defaultValue = "42", paramLabel = "SEED",
      description = "Seed of the random and kfold splits and of sampled candidates. Default: ${DEFAULT-VALUE}.")
  long splitSeed;

  @Option(names = "--candidates", defaultValue = "all", paramLabel = "SET",
      description = "What each held-out item is ranked against: all (every item the user never touched) or "
          + "sampled:N (N items drawn without replacement from those, seeded by --split-seed; "
          + "the NCF/SASRec protocol, e.g. sampled:100). Default: ${DEFAULT-VALUE}.")
  String candidates;

  Candidates candidateSet() {
    try {
      return Candidates.parse(candidates, splitSeed);
    } catch (IllegalArgumentException e) {
      throw new UserException("--candidates: " + e.getMessage());
    }
  }

  Protocol parsed() {
    try {
      return Protocol.parse(protocol);
    } catch (IllegalArgumentException e) {
      throw new UserException("--protocol: " + e.getMessage());
    }
  }

  /**
   * For a protocol that splits by time, a note when the data has no timestamps and file order
   * stands in for time, so nobody reads a temporal result as one.
   */
  java.util.Optional<String> fileOrderNotice(Dataset data) {
    if (!data.report().inFileOrder()) {
      return java.util.Optional.empty();
    }
    String percent = String.format(java.util.Locale.ROOT, "%.0f %%", trainFraction * 100);
    String split = switch (parsed()) {
      case TEMPORAL -> "the first " + percent + " of the rows in the file train";
      case USER_TEMPORAL -> "each user's first " + percent + " of rows in the file train";
      case LOO -> "each user's last row in the file tests and the one before it validates";
      default -> null;
    };
    return java.util.Optional.ofNullable(split)
        .map(s -> "note: no timestamps in the data, so time order is file order: " + s);
  }

  List<Split> splits(Dataset data) {
    InteractionLog log = data.log();
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new UserException("--train-fraction must be between 0 and 1, got " + trainFraction);
    }
    return switch (parsed()) {
      case RANDOM -> List.of(Splitters.random(log, trainFraction, splitSeed));
      case KFOLD -> {
        if (folds < 2) {
          throw new UserException("--folds must be at least 2 for kfold, got " + folds);
        }
        yield Splitters.kfold(log, folds, splitSeed);
      }
      case TEMPORAL -> List.of(Splitters.temporal(log, trainFraction));
      case USER_TEMPORAL -> List.of(Splitters.userTemporal(log, trainFraction));
      case LOO -> List.of(Splitters.leaveOneOut(log));
      case COLD_ITEMS, COLD_USERS -> {
        if (!(coldFraction > 0 && coldFraction < 1)) {
          throw new UserException("--cold-fraction must be between 0 and 1, got " + coldFraction);
        }
        if (coldUserEvents < 0) {
          throw new UserException("--cold-user-events must be at least 0, got " + coldUserEvents);
        }
        try {
          yield List.of(parsed() == Protocol.COLD_ITEMS
              ? Splitters.coldItems(log, coldFraction, splitSeed)
              : Splitters.coldUsers(log, coldUserEvents, coldFraction, splitSeed));
        } catch (IllegalArgumentException e) {
          throw new UserException("--protocol " + protocol + ": " + e.getMessage());
        }
      }
      case FOLDS -> throw new IllegalStateException("folds are read, not split");
    };
  }

  /**
   * Reads given fold files: {@code dir/u1.base}, {@code dir/u1.test} … up to {@code --folds}, in one
   * id space. {@code data} may be the folder or any file in it.
   */
  FoldData readFolds(Path data, DataOptions options) {
    Path dir = Files.isDirectory(data) ? data : data.toAbsolutePath().getParent();
    IdIndex users = new IdIndex();
    IdIndex items = new IdIndex();
    List<InteractionLog[]> pairs = new ArrayList<>();
    InteractionLog all = new InteractionLog();
    for (int n = 1; n <= folds; n++) {
      Path base = dir.resolve("u" + n + ".base");
      Path test = dir.resolve("u" + n + ".test");
      if (!Files.exists(base) || !Files.exists(test)) {
        throw new UserException("--protocol folds: missing " + (Files.exists(base) ? test : base)
            + " (expected u1.base/u1.test … u" + folds + ".base/u" + folds + ".test)");
      }
      InteractionLog[] pair = new InteractionLog[2];
      for (int side = 0; side < 2; side++) {
        DatasetBuilder builder = new DatasetBuilder(users, items, options.readOptions());
        DataFormat format = options.format.equals("movielens") ? DataFormat.ML100K : options.dataFormat();
        InteractionReaders.readInto(side == 0 ? base : test, format, builder, options.columns());
        pair[side] = builder.build().log();
      }
      pairs.add(pair);
    }
    for (int e = 0; e < pairs.get(0)[0].size(); e++) {
      all.add(pairs.get(0)[0].get(e));
    }
    for (int e = 0; e < pairs.get(0)[1].size(); e++) {
      all.add(pairs.get(0)[1].get(e));
    }
    Dataset dataset = new Dataset(users, items, all,
        new io.perennial.data.ReadReport(all.size(), all.size(), java.util.Map.of(), 0, 0, List.of()));
    List<Split> splits = new ArrayList<>();
    for (int n = 0; n < pairs.size(); n++) {
      splits.add(new Split("u" + (n + 1), pairs.get(n)[0], pairs.get(n)[1]));
    }
    return new FoldData(dataset, splits);
  }

  record FoldData(Dataset dataset, List<Split> splits) {}
}
