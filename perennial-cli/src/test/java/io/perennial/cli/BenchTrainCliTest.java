package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench train} states the work it timed, so a comparison can show it is equal work. */
class BenchTrainCliTest {

  @TempDir Path dir;
  private CliHarness cli;

  @BeforeEach
  void start() {
    cli = new CliHarness();
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  private Path ratings() throws IOException {
    StringBuilder sb = new StringBuilder("user\titem\n");
    java.util.SplittableRandom r = new java.util.SplittableRandom(2);
    for (int e = 0; e < 3_000; e++) {
      sb.append(r.nextInt(120)).append('\t').append(r.nextInt(300)).append('\n');
    }
    Path file = dir.resolve("ratings.tsv");
    Files.writeString(file, sb);
    return file;
  }

  @Test
  void itPrintsAndWritesItsConfigurationAndKeepsTheJsonKeys() throws IOException {
    Path json = dir.resolve("bench.json");
    assertThat(cli.run("bench", "train", "--data", ratings().toString(), "--format", "tsv", "--factors", "8",
        "--iterations", "2", "--threads", "1", "--cg-steps", "2", "--loss", "--json", json.toString()))
        .as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("iALS  8 factors, 2 iterations, 2 CG steps, confidence 3 on positives, λ 35,"
        + " loss on, 1 thread:").contains("BPR   8 factors, 2 epochs, loss on, 1 thread:");
    JsonNode root = Json.MAPPER.readTree(json.toFile());
    JsonNode ials = root.get("ials");
    assertThat(ials.get("seconds_per_iteration").asDouble()).isPositive();
    assertThat(ials.get("seconds_per_iteration_each")).hasSize(2);
    assertThat(ials.get("cg_steps").asInt()).isEqualTo(2);
    assertThat(ials.get("threads").asInt()).isEqualTo(1);
    assertThat(ials.get("loss").asBoolean()).isTrue();
    assertThat(root.get("bpr").get("updates_per_s_1_threads").asDouble()).isPositive();
    assertThat(root.get("bpr").has("updates_per_s_2_threads")).as("one thread asked: one BPR run").isFalse();
    // CPU terms, the fair comparison of thread counts on a loaded machine
    assertThat(ials.get("cpu_s_per_iteration_median").asDouble()).isPositive();
    JsonNode phases = ials.get("phases");
    assertThat(phases.fieldNames()).toIterable()
        .containsExactly("item_gram", "user_half_step", "user_gram", "item_half_step", "loss");
    assertThat(phases.get("item_half_step").get("cpu_s_per_iteration").asDouble()).isPositive();
    assertThat(phases.get("user_half_step").get("wall_s_per_iteration").asDouble()).isPositive();
    assertThat(root.get("bpr").get("cpu_ns_per_update_1_threads").asDouble()).isPositive();
    // one thread: nothing runs on the pool
    assertThat(ials.get("worker_cpu_share").asDouble()).isZero();
    assertThat(root.get("bpr").get("worker_cpu_share_1_threads").asDouble()).isZero();
    assertThat(root.get("machine").has("fma_scaling_1_threads")).as("no scaling probe for one thread").isFalse();
    assertThat(cli.stdout()).contains("per phase CPU/wall:").contains("ns/update");
  }

  @Test
  void badThreadsOrStepsAreOneClearError() throws IOException {
    Path file = ratings();
    assertThat(cli.run("bench", "train", "--data", file.toString(), "--format", "tsv", "--threads", "0")).isEqualTo(2);
    assertThat(cli.stderr()).contains("--threads must be >= 1, got 0").doesNotContain("Exception");
    assertThat(cli.run("bench", "train", "--data", file.toString(), "--format", "tsv", "--cg-steps", "0")).isEqualTo(2);
    assertThat(cli.stderr()).contains("--cg-steps must be >= 1, got 0");
  }
}
