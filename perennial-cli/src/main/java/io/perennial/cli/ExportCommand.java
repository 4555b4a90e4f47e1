package io.perennial.cli;

import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Recommender;
import io.perennial.store.Checkpoint;
import io.perennial.store.EmbeddingExport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code perennial export}: write a factor model's embeddings as .npy or CSV. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export user and item embeddings (and biases) as .npy or CSV, with id lists.")
final class ExportCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Checkpoint written by 'train'.")
  Path model;

  @Option(names = "--format", defaultValue = "npy", paramLabel = "FMT", description = "npy or csv. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created if missing).")
  Path out;

  @Override
  public Integer call() {
    if (!format.equals("npy") && !format.equals("csv")) {
      throw new UserException("--format: expected npy or csv, got '" + format + "'");
    }
    Checkpoint checkpoint = Checkpoint.read(model);
    Recommender recommender = Algorithms.restore(checkpoint.state());
    if (!(recommender instanceof FactorModel fm)) {
      throw new UserException(model + ": a " + recommender.type() + " model has no embeddings (export works for mf, bpr, ials)");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
    }
    int k = fm.factors();
    if (format.equals("npy")) {
      EmbeddingExport.writeNpy(out.resolve("user_factors.npy"), java.util.Arrays.copyOf(fm.userFactors(), fm.userCount() * k), fm.userCount(), k);
      EmbeddingExport.writeNpy(out.resolve("item_factors.npy"), java.util.Arrays.copyOf(fm.itemFactors(), fm.itemCount() * k), fm.itemCount(), k);
      if (fm.userBias() != null) {
        EmbeddingExport.writeNpy(out.resolve("user_bias.npy"), java.util.Arrays.copyOf(fm.userBias(), fm.userCount()), fm.userCount(), 1);
      }
      if (fm.itemBias() != null) {
        EmbeddingExport.writeNpy(out.resolve("item_bias.npy"), java.util.Arrays.copyOf(fm.itemBias(), fm.itemCount()), fm.itemCount(), 1);
      }
      EmbeddingExport.writeIds(out.resolve("user_ids.txt"), checkpoint.users());
      EmbeddingExport.writeIds(out.resolve("item_ids.txt"), checkpoint.items());
    } else {
      EmbeddingExport.writeCsv(out.resolve("user_factors.csv"), checkpoint.users(), java.util.Arrays.copyOf(fm.userFactors(), fm.userCount() * k), k);
      EmbeddingExport.writeCsv(out.resolve("item_factors.csv"), checkpoint.items(), java.util.Arrays.copyOf(fm.itemFactors(), fm.itemCount() * k), k);
      if (fm.itemBias() != null) {
        EmbeddingExport.writeCsv(out.resolve("item_bias.csv"), checkpoint.items(), java.util.Arrays.copyOf(fm.itemBias(), fm.itemCount()), 1);
      }
      if (fm.userBias() != null) {
        EmbeddingExport.writeCsv(out.resolve("user_bias.csv"), checkpoint.users(), java.util.Arrays.copyOf(fm.userBias(), fm.userCount()), 1);
      }
    }
    System.out.printf("exported %d users and %d items × %d factors as %s to %s%n",
        fm.userCount(), fm.itemCount(), k, format, out);
    return 0;
  }
}
