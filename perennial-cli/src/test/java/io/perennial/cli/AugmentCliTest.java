package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --augment} and {@code --contrastive-weight}: SASRec only, bad names and values refused by option. */
class AugmentCliTest {

  @TempDir Path dir;

  @Test
  void badAugmentNamesAndOtherModelsAreRefusedByOption() throws Exception {
    Path data = CliHarness.ratingsCsv(dir, 2_000);
    CliHarness.Result flip = CliHarness.runOnce("evaluate", "--data", data.toString(), "--implicit", "--model", "sasrec",
        "--protocol", "loo", "--augment", "crop,flip");
    assertThat(flip.exitCode()).isNotZero();
    assertThat(flip.stderr()).contains("--augment").contains("'flip'").doesNotContain("Exception");

    CliHarness.Result bpr = CliHarness.runOnce("train", "--data", data.toString(), "--implicit", "--model", "bpr",
        "--out", dir.resolve("m.pmdl").toString(), "--augment", "crop");
    assertThat(bpr.exitCode()).isNotZero();
    assertThat(bpr.stderr()).contains("--augment applies to --model sasrec only, not bpr");

    CliHarness.Result weightAlone = CliHarness.runOnce("simulate", "--data", data.toString(), "--model",
        "sasrec", "--strategies", "static", "--contrastive-weight", "0.2", "--report", dir.resolve("sim").toString());
    assertThat(weightAlone.exitCode()).isNotZero();
    assertThat(weightAlone.stderr()).contains("--contrastive-weight needs --augment");

    CliHarness.Result negative = CliHarness.runOnce("evaluate", "--data", data.toString(), "--implicit", "--model",
        "sasrec", "--augment", "mask", "--contrastive-weight", "-1");
    assertThat(negative.exitCode()).isNotZero();
    assertThat(negative.stderr()).contains("--contrastive-weight must be a number >= 0");
  }

  @Test
  void trainWritesTheAugmentationIntoTheModelsConfig() throws Exception {
    Path data = CliHarness.ratingsCsv(dir, 2_000);
    Path config = Files.writeString(dir.resolve("c.json"), "{\"epochs\": 1, \"factors\": 8, \"maxLength\": 20}");
    Path model = dir.resolve("s.pmdl");
    CliHarness.Result run = CliHarness.runOnce("train", "--data", data.toString(), "--implicit", "--model", "sasrec",
        "--config", config.toString(), "--augment", "crop,reorder", "--contrastive-weight", "0.3", "--out",
        model.toString());
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(model).exists();
    io.perennial.model.sasrec.SasrecConfig written = ((io.perennial.model.sasrec.SasrecModel) io.perennial.model.Algorithms
        .restore(io.perennial.store.Checkpoint.read(model).state())).config();
    assertThat(written.augment()).containsExactly("crop", "reorder");
    assertThat(written.contrastiveWeight()).isEqualTo(0.3f);
  }
}
