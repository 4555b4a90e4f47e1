package io.perennial.server;

import static io.perennial.server.TestServers.INGEST;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.server.learn.Forgetting;
import io.perennial.server.store.DataDirectory;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.ModelRegistry;
import io.perennial.server.store.ModelVersion;
import io.perennial.server.store.PrivacyStore;
import io.perennial.store.Checkpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during {@code perennial forget} (a child JVM killed by {@link Process#destroyForcibly}
 * at random moments): the store is either as before (every event, no pending deletion) or after
 * (no event, a deletion record), and once the directory is opened again no checkpoint holds the
 * user when the events are gone.
 */
class ForgetCrashTest {

  private static final String VICTIM = "crash-victim";
  private static final int VICTIM_EVENTS = 40;

  @TempDir Path root;

  @Test
  void aKilledDeletionLeavesTheStateBeforeOrAfterAndIsFinishedOnReopen() throws Exception {
    Path prepared = root.resolve("prepared");
    prepare(prepared);
    long fullRunMillis = timedRun(copyOf(prepared, root.resolve("timed")));
    SplittableRandom random = new SplittableRandom(5);
    Map<String, Integer> outcomes = new LinkedHashMap<>();
    for (int run = 0; run < 6; run++) {
      Path dir = copyOf(prepared, root.resolve("run" + run));
      Process p = child(dir);
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("STARTED");
      Thread.sleep(random.nextLong(Math.max(1, fullRunMillis)));
      p.destroyForcibly().waitFor();
      outcomes.merge(check(dir), 1, Integer::sum);
    }
    System.out.println("forget killed at random moments (full run " + fullRunMillis + " ms): " + outcomes);
    assertThat(outcomes.keySet()).isSubsetOf("before", "after (complete)", "after (finished on reopen)");
  }

  /** A data directory whose checkpoints learned the victim's events. */
  private static void prepare(Path dir) throws Exception {
    try (PerennialServer server = TestServers.startLarge(dir, 100)) {
      TestServers.awaitReady(server);
      StringBuilder batch = new StringBuilder("[");
      for (int e = 0; e < VICTIM_EVENTS; e++) {
        batch.append(e == 0 ? "" : ",").append("{\"user\":\"" + VICTIM + "\",\"item\":\"i" + (e * 37) + "\",\"type\":\"view\"}");
      }
      long offset = call(server, "POST", "/v1/events", INGEST, batch.append("]").toString()).body().path("last_offset").asLong();
      TestServers.awaitOffset(server, offset);
      for (int round = 0; round < 4; round++) {
        long o = call(server, "POST", "/v1/events", INGEST, "{\"user\":\"u" + round + "\",\"item\":\"i1\",\"type\":\"view\"}")
            .body().path("last_offset").asLong();
        TestServers.awaitOffset(server, o);
        Thread.sleep(250);
      }
    }
  }

  private static long timedRun(Path dir) throws Exception {
    Process p = child(dir);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("STARTED");
    long t0 = System.nanoTime();
    assertThat(out.readLine()).isEqualTo("DONE");
    long millis = (System.nanoTime() - t0) / 1_000_000;
    p.waitFor();
    assertThat(check(dir)).isEqualTo("after (complete)");
    return millis;
  }

  /** Opens the directory as a server would, finishing an interrupted deletion, and classifies the state. */
  private static String check(Path dir) {
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      PrivacyStore privacy = new PrivacyStore(store);
      ModelRegistry registry = new ModelRegistry(store, d);
      int events = privacy.eventsOf(VICTIM).size();
      boolean pending = !privacy.pendingDeletions().isEmpty();
      boolean recorded = !privacy.deletions(10).isEmpty();
      assertThat(events).as("the user's events: all or none").isIn(0, VICTIM_EVENTS);
      if (events == VICTIM_EVENTS) {
        assertThat(pending || recorded).as("no deletion record while the events are there").isFalse();
        assertThat(holders(registry)).as("checkpoints untouched").isNotEmpty();
        return "before";
      }
      assertThat(pending || recorded).as("events gone only with their deletion record").isTrue();
      new Forgetting(privacy, registry, id -> "u_test", Clock.systemUTC()).resumePending();
      assertThat(privacy.pendingDeletions()).isEmpty();
      assertThat(holders(registry)).as("no checkpoint holds the user").isEmpty();
      assertThat(privacy.deletions(10).get(0).status()).isEqualTo("complete");
      return pending ? "after (finished on reopen)" : "after (complete)";
    }
  }

  private static List<Long> holders(ModelRegistry registry) {
    List<Long> out = new ArrayList<>();
    for (ModelVersion mv : registry.list()) {
      if (registry.hasFile(mv.version()) && registry.load(mv.version()).users().indexOf(VICTIM) >= 0) {
        out.add(mv.version());
      }
    }
    return out;
  }

  private static Process child(Path dir) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Xmx1g", "-cp",
        System.getProperty("java.class.path"), ForgetTarget.class.getName(), dir.toString(), VICTIM);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    return pb.start();
  }

  private static Path copyOf(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else if (!f.getFileName().toString().equals("perennial.lock")) {
          Files.copy(f, target);
        }
      }
    }
    return to;
  }
}
