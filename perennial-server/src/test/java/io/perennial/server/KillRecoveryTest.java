package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.server.store.DataDirectory;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.StoredEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 the server while a client sends batches: every acknowledged event survives, exactly once. */
class KillRecoveryTest {

  @TempDir Path dir;

  private Process launch(String... mode) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), KillTarget.class.getName(), dir.toString()));
    command.addAll(List.of(mode));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    return pb.start();
  }

  private static int portOf(Process p) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("PORT ")) {
        return Integer.parseInt(line.substring(5).trim());
      }
    }
    throw new AssertionError("the server process exited before listening");
  }

  @Test
  void acknowledgedEventsSurviveRepeatedKillsExactlyOnceAndTheLearnerCatchesUp() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    int next = 0;
    for (int round = 0; round < 3; round++) {
      Process p = launch();
      int port = portOf(p);
      long killAt = System.currentTimeMillis() + 1500;
      while (System.currentTimeMillis() < killAt) {
        StringBuilder sb = new StringBuilder("[");
        List<String> ids = new java.util.ArrayList<>();
        for (int e = 0; e < 50; e++, next++) {
          String id = "k" + next;
          ids.add(id);
          sb.append(e == 0 ? "" : ",").append("{\"user\":\"u").append(next % 97).append("\",\"item\":\"i")
              .append(next % 311).append("\",\"type\":\"view\",\"id\":\"").append(id).append("\"}");
        }
        sb.append("]");
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
            .header("Authorization", "Bearer " + TestServers.INGEST)
            .POST(HttpRequest.BodyPublishers.ofString(sb.toString())).build();
        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        acknowledged.addAll(ids);
      }
      // a batch in flight when the process dies was never acknowledged; it may or may not be stored
      Thread sender = new Thread(() -> {
        try {
          HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
              .header("Authorization", "Bearer " + TestServers.INGEST)
              .POST(HttpRequest.BodyPublishers.ofString("[{\"user\":\"late\",\"item\":\"i1\",\"type\":\"view\",\"id\":\"late"
                  + System.nanoTime() + "\"}]")).build();
          client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (Exception ignored) {
          // the server was killed mid-request: expected
        }
      });
      sender.start();
      p.destroyForcibly().waitFor(); // SIGKILL
      sender.join();
    }
    assertThat(acknowledged).hasSizeGreaterThan(100);
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      Map<String, Integer> seen = new HashMap<>();
      List<StoredEvent> all = store.readAfter(-1, Integer.MAX_VALUE);
      try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + d.database());
          var rs = c.createStatement().executeQuery("SELECT event_id, count(*) FROM events WHERE event_id IS NOT NULL GROUP BY event_id")) {
        while (rs.next()) {
          seen.put(rs.getString(1), rs.getInt(2));
        }
      }
      for (String id : acknowledged) {
        assertThat(seen.get(id)).as("acknowledged event %s", id).isEqualTo(1);
      }
      assertThat(all).extracting(StoredEvent::offset).isSorted().doesNotHaveDuplicates();
    }
    try (PerennialServer server = TestServers.start(dir, "online", 60_000)) {
      TestServers.awaitReady(server);
      TestServers.awaitOffset(server, server.store().lastOffset());
      assertThat(server.learner().offset()).as("the learner caught up").isEqualTo(server.store().lastOffset());
    }
  }

  @Test
  void aKillDuringACheckpointWriteLeavesThePreviousVersionLoadable() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    Path models = dir.resolve("models");
    int caught = 0;
    for (int attempt = 0; attempt < 10 && caught < 2; attempt++) {
      Process p = launch("large");
      int port = portOf(p);
      // Events keep the model changing, so the learner checkpoints every 100 ms.
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      Thread sender = new Thread(() -> {
        for (int n = 0; !stop.get(); n++) {
          try {
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Authorization", "Bearer " + TestServers.INGEST)
                .POST(HttpRequest.BodyPublishers.ofString("[{\"user\":\"u" + (n % 2000) + "\",\"item\":\"i"
                    + (n * 13 % 20000) + "\",\"type\":\"view\"}]")).build(), HttpResponse.BodyHandlers.discarding());
          } catch (Exception e) {
            return; // killed
          }
        }
      });
      sender.start();
      // First a registered version to fall back to (the trained model, or the previous round's).
      long deadline = System.currentTimeMillis() + 60_000;
      while (!java.nio.file.Files.exists(models.resolve("model-1.pmdl")) && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      Thread.sleep(300);
      // Then SIGKILL the moment a checkpoint's temp file exists: the write is in progress.
      boolean midWrite = false;
      deadline = System.currentTimeMillis() + 15_000;
      while (!midWrite && System.currentTimeMillis() < deadline) {
        try (var files = java.nio.file.Files.list(models)) {
          midWrite = files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp"));
        }
        if (midWrite) {
          p.destroyForcibly();
        }
      }
      p.destroyForcibly().waitFor();
      stop.set(true);
      sender.join();
      if (!midWrite) {
        continue;
      }
      caught++;
      long current;
      try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
        try (var files = java.nio.file.Files.list(models)) {
          assertThat(files.map(f -> f.getFileName().toString())).as("unfinished checkpoints are removed on open")
              .noneMatch(name -> name.endsWith(".tmp"));
        }
        var registry = new io.perennial.server.store.ModelRegistry(store, d);
        current = registry.current().orElseThrow().version();
        assertThat(registry.load(current).state().type()).isEqualTo("bpr");
      }
      try (PerennialServer server = TestServers.startLarge(dir, 60_000)) {
        TestServers.awaitReady(server);
        assertThat(server.learner().served().version()).as("the previous version is served").isEqualTo(current);
      }
    }
    assertThat(caught).as("kills that landed during a checkpoint write").isGreaterThanOrEqualTo(2);
  }
}
