package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.server.PerennialServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code perennial serve} refusing where it cannot or should not listen: one line, exit 2, nothing created. */
class ServeCommandTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private void assertOneLineAndNothingCreated(Path data) {
    assertThat(err.toString().strip().lines()).as(err.toString()).hasSize(1);
    assertThat(err.toString()).startsWith("perennial: error: ").doesNotContain("internal error").doesNotContain("\tat ");
    assertThat(data).doesNotExist();
  }

  @Test
  void aBusyPortIsOneClearLineAndNoDataDirectory() throws Exception {
    Path data = dir.resolve("data");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      int code = run("serve", "--data-dir", data.toString(), "--port", String.valueOf(port), "--insecure-dev");
      assertThat(code).isEqualTo(Main.USER_ERROR);
      assertThat(err.toString()).contains("cannot listen on 127.0.0.1:" + port).contains("--port");
    }
    assertOneLineAndNothingCreated(data);
  }

  @Test
  void badKafkaOptionsAreOneClearLineBeforeAnythingIsCreated() {
    Path data = dir.resolve("data");
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--insecure-dev",
        "--kafka-bootstrap", "localhost")).isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("bootstrap server 'localhost' is not HOST:PORT");
    assertOneLineAndNothingCreated(data);
    err.getBuffer().setLength(0);
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--insecure-dev",
        "--kafka-bootstrap", "127.0.0.1:9092", "--kafka-topic", "events with spaces")).isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("the topic 'events with spaces' is not a Kafka topic name");
    assertOneLineAndNothingCreated(data);
    err.getBuffer().setLength(0);
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--insecure-dev",
        "--kafka-served-topic", "served")).isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("--kafka-served-topic needs --kafka-bootstrap");
    assertOneLineAndNothingCreated(data);
  }

  @Test
  void aPortOutOfRangeOrAnUnknownHostIsRefusedBeforeAnythingIsCreated() {
    Path data = dir.resolve("data");
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "70000", "--insecure-dev"))
        .isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("port 70000 is out of range");
    assertOneLineAndNothingCreated(data);
    err.getBuffer().setLength(0);
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--host", "no-such-host.invalid",
        "--keys-file", keysFile().toString())).isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("cannot resolve host 'no-such-host.invalid'");
    assertOneLineAndNothingCreated(data);
  }

  @Test
  void anUnknownModelOrANegativeCandidateCountIsRefusedBeforeAnythingIsCreated() {
    Path data = dir.resolve("data");
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--insecure-dev", "--model", "nosuch"))
        .isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("--model: unknown model 'nosuch'")
        .contains(io.perennial.model.Algorithms.NAMES.toString());
    assertOneLineAndNothingCreated(data);
    err.getBuffer().setLength(0);
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--insecure-dev", "--rerank-candidates", "-1"))
        .isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("--rerank-candidates: must be 0");
    assertOneLineAndNothingCreated(data);
    err.getBuffer().setLength(0);
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--insecure-dev", "--model", "itemknn",
        "--quantize", "int8")).isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("--quantize int8: itemknn has no factor tables");
    assertOneLineAndNothingCreated(data);
    err.getBuffer().setLength(0);
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--insecure-dev", "--quantize", "int4"))
        .isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("--quantize: unknown quantisation 'int4'");
    assertOneLineAndNothingCreated(data);
  }

  @Test
  void helpListsEveryModelNameAndTheRerankOption() {
    assertThat(run("serve", "--help")).isZero();
    assertThat(out.toString().replaceAll("\\s+", " ")).contains(String.join(", ", ServeCommand.ModelNames.SERVABLE))
        .contains("--rerank-candidates");
  }

  private Path keysFile() {
    Path keys = dir.resolve("keys.txt");
    try {
      Files.writeString(keys, "admin-key-0123456789:admin\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return keys;
  }

  @Test
  void insecureDevRefusesANonLoopbackHostWithoutTheSecondFlag() {
    Path data = dir.resolve("data");
    int code = run("serve", "--data-dir", data.toString(), "--port", "0", "--host", "0.0.0.0", "--insecure-dev");
    assertThat(code).isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("not a loopback address").contains("--allow-insecure-remote");
    assertOneLineAndNothingCreated(data);
    err.getBuffer().setLength(0);
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--allow-insecure-remote",
        "--keys-file", keysFile().toString())).isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains("only applies with --insecure-dev");
  }

  @Test
  void insecureDevOnANonLoopbackHostWithTheSecondFlagServesAndWarnsOnStderr() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--data-dir", dir.resolve("data").toString(), "--port", "0",
        "--host", "0.0.0.0", "--insecure-dev", "--allow-insecure-remote", "--min-events", "1000000");
    try (PerennialServer server = ServeCommand.start(serve, new PrintWriter(out, true), new PrintWriter(err, true))) {
      assertThat(server.port()).isPositive();
    }
    assertThat(err.toString()).contains("WARNING: no API keys and listening on 0.0.0.0");
  }

  @Test
  void insecureDevOnLoopbackNeedsNoSecondFlagAndIsNotWarnedAbout() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--data-dir", dir.resolve("data").toString(), "--port", "0",
        "--host", "localhost", "--insecure-dev", "--min-events", "1000000");
    try (PerennialServer server = ServeCommand.start(serve, new PrintWriter(out, true), new PrintWriter(err, true))) {
      assertThat(server.port()).isPositive();
    }
    assertThat(err.toString()).doesNotContain("WARNING");
  }

  @Test
  void itemsGivenToServeAreStoredAndANewerStoredVersionIsKept() throws Exception {
    java.nio.file.Path movies = java.nio.file.Files.writeString(dir.resolve("movies.csv"),
        "movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n2,Heat (1995),Crime\n");
    java.nio.file.Files.setLastModifiedTime(movies, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    String[] args = {"--data-dir", dir.resolve("data").toString(), "--port", "0", "--insecure-dev", "--min-events",
        "1000000", "--items", movies.toString()};
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    try (PerennialServer server = ServeCommand.start(serve, new PrintWriter(out, true), new PrintWriter(err, true))) {
      assertThat(server.items().get("1").orElseThrow().item().genres()).containsExactly("Animation", "Comedy");
      server.items().upsert(java.util.List.of(new io.perennial.server.store.ItemStore.Upsert(
          io.perennial.data.ItemMetadata.titled("2", "Heat, renamed", java.util.List.of()), 2_000_000))).join();
    }
    assertThat(out.toString()).contains("items: 2 read from " + movies).contains("items: stored 2 in the data directory");
    ServeCommand again = new ServeCommand();
    new CommandLine(again).parseArgs(args);
    try (PerennialServer server = ServeCommand.start(again, new PrintWriter(out, true), new PrintWriter(err, true))) {
      assertThat(server.items().get("2").orElseThrow().item().title()).isEqualTo("Heat, renamed");
      assertThat(server.items().get("1").orElseThrow().version()).isEqualTo(2);
    }
    assertThat(out.toString()).contains("items: stored 1 in the data directory; 1 kept their newer stored version");
  }

  @Test
  void aBadItemsFileStopsServeBeforeTheDataDirectoryIsCreated() throws Exception {
    java.nio.file.Path movies = java.nio.file.Files.writeString(dir.resolve("movies.csv"), "movieId,title,genres\n1,only two\n");
    java.nio.file.Path data = dir.resolve("never");
    assertThat(run("serve", "--data-dir", data.toString(), "--port", "0", "--insecure-dev", "--items", movies.toString()))
        .isEqualTo(Main.USER_ERROR);
    assertThat(err.toString()).contains(movies + ":2: expected 3 fields, found 2");
    assertThat(java.nio.file.Files.exists(data)).isFalse();
  }
}
