package io.perennial.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.eval.HoldoutValidator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.quantized.Quantization;
import io.perennial.data.ItemCatalog;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code perennial train}: fit one model on all the data and write a checkpoint. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model and save it as a checkpoint.")
final class TrainCommand implements Callable<Integer> {

  /** Every algorithm {@link io.perennial.model.Algorithms#NAMES} lists. */
  static final class ModelNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return io.perennial.model.Algorithms.NAMES.iterator();
    }
  }


  @Mixin DataOptions data;
  @Mixin ItemOptions itemOptions = new ItemOptions();
  @Mixin EncodeOptions encoding = new EncodeOptions();
  @Mixin ContentOptions contentOptions = new ContentOptions();
  @Mixin DistillOptions distill = new DistillOptions();
  @Mixin PretrainedOptions pretrained = new PretrainedOptions();
  @Mixin AugmentOptions augment = new AugmentOptions();

  @Option(names = "--encode-items",
      description = "Also encode the --items texts with the sentence encoder into MODEL.items.pemb beside the model "
          + "(an existing one is the cache: only changed texts are encoded).")
  boolean encodeItems;

  @Option(names = "--model", required = true, paramLabel = "NAME", completionCandidates = TrainCommand.ModelNames.class,
      description = "${COMPLETION-CANDIDATES} (content and hybrid need --items).")
  String model;

  @Option(names = "--members", split = ",", paramLabel = "NAME",
      description = "With --model fusion: the models fused, e.g. ials,itemknn,bpr (the default).")
  List<String> members;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Checkpoint to write (e.g. model.pmdl).")
  Path out;

  @Option(names = "--config", paramLabel = "FILE", description = "JSON object of config overrides.")
  Path config;

  @Option(names = "--early-stopping", paramLabel = "METRIC",
      description = "Hold out each user's latest events (--validation-fraction) and stop when METRIC (e.g. ndcg@10, rmse) stops improving; the best epoch is kept.")
  String earlyStoppingMetric;

  @Option(names = "--validation-fraction", defaultValue = "0.1", paramLabel = "F",
      description = "Share of each user's latest events held out for --early-stopping. Default: ${DEFAULT-VALUE}.")
  double validationFraction;

  @Option(names = "--quantize", defaultValue = "none", paramLabel = "none|int8|fp16",
      description = "Store the factor tables as int8 codes with a scale per row (mf, bpr, ials): about a quarter of the "
          + "file; or as fp16 halves: half the tables; the ratio to the float checkpoint is printed. Default: ${DEFAULT-VALUE}.")
  String quantize;

  @Option(names = "--patience", defaultValue = "3", paramLabel = "N",
      description = "Epochs without improvement before stopping. Default: ${DEFAULT-VALUE}.")
  int patience;

  @Override
  public Integer call() {
    PrintStream stdout = System.out;
    if (!Algorithms.NAMES.contains(model)) {
      throw new UserException("--model: unknown model '" + model + "' (expected one of " + Algorithms.NAMES + ")");
    }
    Quantization quantization = Quantizing.parse(quantize, model);
    Dataset dataset = data.read();
    if (dataset.size() == 0) {
      throw new UserException(data.data + ": no interactions to train on (" + dataset.report().summary() + ")");
    }
    stdout.println("read " + data.data + ": " + dataset.report().summary());
    ItemCatalog catalog = itemOptions.load(data.errorPolicy(), stdout::println);
    if (encodeItems && catalog == null) {
      throw new UserException("--encode-items needs --items (or --tags): the item texts to encode");
    }
    if (encodeItems) {
      encoding.itemText(); // a bad template is refused before training, not after
    }
    FusionMembers.check(members, List.of(model));
    JsonNode overrides = augment.apply(model, ConfigFiles.overrides(config, model, 1));
    if (model.equals("fusion")) {
      overrides = FusionMembers.overrides(overrides, members, config, n -> Json.object());
    }
    overrides = pretrained.overrides(overrides, model);
    io.perennial.model.content.ItemContent content = contentOptions.content(catalog);
    Trainer trainer = distill.wrap(pretrained.wrap(ContentOptions.withContent(model,
        Algorithms.trainer(model, overrides), content), dataset, catalog, content, stdout));
    TrainingOptions options = TrainingOptions.of(Terminal.progress(stdout));
    Dataset trainingData = dataset;
    InteractionLog healthSample = dataset.log();
    if (earlyStoppingMetric != null) {
      if (!(validationFraction > 0 && validationFraction < 1)) {
        throw new UserException("--validation-fraction must be between 0 and 1, got " + validationFraction);
      }
      if (patience < 1) {
        throw new UserException("--patience must be at least 1, got " + patience);
      }
      Split split = Splitters.userTemporal(dataset.log(), 1 - validationFraction);
      trainingData = dataset.withLog(split.train());
      healthSample = split.test();
      HoldoutValidator validator;
      try {
        validator = new HoldoutValidator(split.test(), earlyStoppingMetric, 10);
      } catch (IllegalArgumentException e) {
        throw new UserException("--early-stopping: " + e.getMessage());
      }
      options = options.withEarlyStopping(validator, patience);
      stdout.printf(Locale.ROOT, "early stopping on %s over %d held-out events (patience %d)%n",
          earlyStoppingMetric, split.test().size(), patience);
    }
    long t0 = System.nanoTime();
    Recommender recommender = trainer.fit(trainingData, options);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Evaluations.requireHealthy(recommender, healthSample,
        "the trained " + model + " model is unusable, so " + out + " was not written");
    Map<String, Double> privacyMetrics = new java.util.LinkedHashMap<>();
    if (recommender instanceof io.perennial.model.DifferentiallyPrivate dp && dp.privacy() != null) {
      // the (epsilon, delta) of DP-SGD travels with the model in its provenance
      privacyMetrics.put("dp_epsilon", dp.privacy().epsilon());
      privacyMetrics.put("dp_delta", dp.privacy().delta());
      privacyMetrics.put("dp_noise_multiplier", dp.privacy().noiseMultiplier());
      privacyMetrics.put("dp_steps", (double) dp.privacy().steps());
      stdout.printf(Locale.ROOT, "DP-SGD: (epsilon %.3f, delta %.1e) per interaction, noise multiplier %.3f, %d steps%n",
          dp.privacy().epsilon(), dp.privacy().delta(), dp.privacy().noiseMultiplier(), dp.privacy().steps());
    }
    Provenance provenance = new Provenance(
        trainer.configJson().path("seed").asLong(0), data.data.toString(), trainingData.size(),
        dataset.log().minTimestamp(), dataset.log().maxTimestamp(), -1, null, privacyMetrics,
        Instant.now().toString(), new Main.Version().getVersion()[0]);
    Checkpoint checkpoint = new Checkpoint(recommender.state(), dataset.users(), dataset.items(), provenance);
    if (quantization != Quantization.NONE) {
      checkpoint = Quantizing.quantize(checkpoint, quantization, stdout);
    }
    checkpoint.write(out);
    if (catalog != null) {
      // beside the model, so recommend shows titles and a later content step finds the same items
      Path stored = ItemOptions.besideModel(out);
      catalog.writeJsonLines(stored);
      stdout.println("wrote the " + catalog.size() + " items' metadata to " + stored);
      if (encodeItems) {
        Path vectors = ItemOptions.embeddingsBesideModel(out);
        io.perennial.content.CatalogEncoder.Result r =
            encoding.encode(catalog, EncodeOptions.cache(vectors), stdout);
        r.embeddings().write(vectors);
        stdout.println("wrote " + r.embeddings().size() + " item vectors to " + vectors);
      }
    }
    stdout.printf(Locale.ROOT, "trained %s on %d users × %d items (%d interactions) in %.2fs; wrote %s%n",
        model, dataset.userCount(), dataset.itemCount(), dataset.size(), seconds, out);
    return 0;
  }
}
