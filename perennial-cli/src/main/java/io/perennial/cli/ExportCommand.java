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
    description = "Export user and item embeddings, biases and model.json (global bias, score formula) as .npy or CSV, with id lists.")
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
    EmbeddingExport.export(fm, checkpoint.users(), checkpoint.items(), out,
        format.equals("npy") ? EmbeddingExport.Format.NPY : EmbeddingExport.Format.CSV);
    int k = fm.factors();
    System.out.printf("exported %d users and %d items × %d factors as %s to %s; model.json has the global bias and"
        + " how to rebuild a score%n", fm.userCount(), fm.itemCount(), k, format, out);
    return 0;
  }
}
