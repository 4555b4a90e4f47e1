package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.TrainingOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perennial quickstart}: the embedded default end to end, with no external data — generate a
 * synthetic world, train all five models, evaluate them on a per-user temporal split, and write a
 * table, JSON and an HTML report.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Synthetic data → train all five models → evaluate → table + report. No network, no external data.")
final class QuickstartCommand implements Callable<Integer> {

  @Option(names = "--events", defaultValue = "200000", paramLabel = "N", description = "Synthetic events. Default: ${DEFAULT-VALUE}.")
  long events;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED", description = "Generator seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", defaultValue = "quickstart-out", paramLabel = "DIR",
      description = "Where report.html and results.json go. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--k", defaultValue = "10", paramLabel = "K", description = "Ranking cut-off. Default: ${DEFAULT-VALUE}.")
  int k;

  @Override
  public Integer call() {
    PrintStream stdout = System.out;
    if (events < 1000) {
      throw new UserException("--events must be at least 1000, got " + events);
    }
    SyntheticConfig config = SyntheticConfig.defaults().withEvents(events).withSeed(seed).withRatings(true);
    long t0 = System.nanoTime();
    Dataset ratings = SyntheticGenerator.generate(config);
    stdout.printf("generated %,d synthetic events (%,d users, %,d items, seed %d) in %.1fs%n",
        ratings.size(), ratings.userCount(), ratings.itemCount(), seed, (System.nanoTime() - t0) / 1e9);
    Dataset implicit = ratings.withLog(ratings.log().withConstantValue(1f));
    Split ratingSplit = Splitters.userTemporal(ratings.log(), 0.8);
    Split implicitSplit = new Split(ratingSplit.name(), ratingSplit.train().withConstantValue(1f),
        ratingSplit.test().withConstantValue(1f));
    ObjectNode protocol = Json.object();
    protocol.put("name", "user-temporal");
    protocol.put("train_fraction", 0.8);
    List<JsonNode> results = new ArrayList<>();
    for (String model : Algorithms.NAMES) {
      if (Algorithms.needsContent(model) || model.equals("random")) {
        continue; // the generated world has no item metadata, and chance needs no demonstration
      }
      boolean explicit = Algorithms.isExplicit(model);
      Dataset data = explicit ? ratings : implicit;
      ObjectNode dataJson = Evaluations.dataJson("synthetic(seed=" + seed + ")", "synthetic", !explicit, data);
      Evaluations.Outcome outcome = Evaluations.run(model, null, data,
          List.of(explicit ? ratingSplit : implicitSplit), protocol, dataJson, k,
          TrainingOptions.of(Terminal.progress(stdout)));
      results.add(outcome.json());
    }
    EvaluateCommand.printTable(stdout, results);
    stdout.println("(mf is the rating model: trained on the star ratings, it ranks unseen items by predicted rating,"
        + " so its RMSE is the figure to read; the others learn from implicit events)");
    ObjectNode root = Json.object();
    var array = root.putArray("results");
    results.forEach(array::add);
    Json.write(out.resolve("results.json"), root);
    HtmlReport.write(out.resolve("report.html"), "Perennial quickstart (synthetic data)", results);
    stdout.println("wrote " + out.resolve("report.html") + " and " + out.resolve("results.json"));
    return 0;
  }
}
