package io.perennial.server;

import static io.perennial.server.TestServers.ADMIN;
import static io.perennial.server.TestServers.INGEST;
import static io.perennial.server.TestServers.READ;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.server.TestServers.Reply;
import io.perennial.server.learn.ServedModel;
import io.perennial.server.store.ModelVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerTest {

  @TempDir Path dir;

  private static String events(int from, int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int e = from; e < from + n; e++) {
      sb.append(e == from ? "" : ",").append("{\"user\":\"u").append(e % 50).append("\",\"item\":\"i")
          .append((e * 7) % 120).append("\",\"type\":\"click\",\"id\":\"ev").append(e).append("\"}");
    }
    return sb.append("]").toString();
  }

  @Test
  void aRestartResumesFromTheCheckpointOffsetAndCatchesUp() throws Exception {
    long lastAcked;
    long checkpointOffset;
    try (PerennialServer server = TestServers.start(dir, "online", 60_000)) {
      TestServers.awaitReady(server);
      lastAcked = call(server, "POST", "/v1/events", INGEST, events(0, 300)).body().path("last_offset").asLong();
      TestServers.awaitOffset(server, lastAcked);
      assertThat(server.learner().offset()).isEqualTo(lastAcked);
    } // close writes a checkpoint at the learner's offset
    try (PerennialServer server = TestServers.start(dir, "online", 60_000)) {
      TestServers.awaitReady(server);
      ModelVersion current = server.registry().current().orElseThrow();
      checkpointOffset = current.lastOffset();
      assertThat(current.kind()).isEqualTo("checkpoint");
      assertThat(checkpointOffset).isEqualTo(lastAcked);
      assertThat(server.learner().offset()).isEqualTo(lastAcked);
      long more = call(server, "POST", "/v1/events", INGEST, events(300, 100)).body().path("last_offset").asLong();
      TestServers.awaitOffset(server, more);
      assertThat(server.learner().status().eventsApplied()).as("nothing learned twice, nothing skipped").isEqualTo(100);
    }
  }

  @Test
  void retrainGoesLiveCaughtUpAndActivationRollsBack() throws Exception {
    try (PerennialServer server = TestServers.start(dir, "online", 60_000)) {
      TestServers.awaitReady(server);
      long first = server.learner().served().version();
      Reply retrain = call(server, "POST", "/v1/models/retrain?wait=true", ADMIN, null);
      assertThat(retrain.status()).isEqualTo(200);
      long retrained = retrain.body().path("version").asLong();
      assertThat(retrained).isGreaterThan(first);
      assertThat(server.learner().served().version()).isEqualTo(retrained);
      assertThat(server.registry().find(retrained).orElseThrow().parent()).isEqualTo(first);
      Reply back = call(server, "POST", "/v1/models/" + first + "/activate", ADMIN, null);
      assertThat(back.status()).isEqualTo(200);
      assertThat(server.learner().served().version()).isEqualTo(first);
      assertThat(server.registry().current().orElseThrow().version()).isEqualTo(first);
      assertThat(call(server, "POST", "/v1/models/999/activate", ADMIN, null).status()).isEqualTo(404);
    }
  }

  @Test
  void readersNeverSeeAHalfUpdatedModelWhileTheLearnerWritesAndSwaps() throws Exception {
    try (PerennialServer server = TestServers.start(dir, "online", 200)) {
      TestServers.awaitReady(server);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger reads = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        Thread reader = new Thread(() -> {
          try {
            while (!stop.get()) {
              ServedModel s = server.learner().served();
              // under the read lock, two reads of the same score must agree: no write in between
              s.read(m -> {
                int users = Math.min(m.userCount(), 40);
                for (int u = 0; u < users; u++) {
                  float a = m.score(u, 3);
                  var recs = m.recommend(u, 10, true, null);
                  float b = m.score(u, 3);
                  if (Float.compare(a, b) != 0 || recs.size() == 0) {
                    throw new AssertionError("torn read for user " + u + ": " + a + " vs " + b);
                  }
                }
                return null;
              });
              Reply r = call(server, "GET", "/v1/users/u" + reads.get() % 50 + "/recommendations?k=10", READ, null);
              if (r.status() != 200) {
                throw new AssertionError("status " + r.status() + ": " + r.text());
              }
              reads.incrementAndGet();
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        reader.start();
        readers.add(reader);
      }
      long last = 0;
      for (int b = 0; b < 20; b++) {
        last = call(server, "POST", "/v1/events", INGEST, events(b * 100, 100)).body().path("last_offset").asLong();
        if (b == 10) {
          call(server, "POST", "/v1/models/retrain", ADMIN, null);
        }
        Thread.sleep(20);
      }
      TestServers.awaitOffset(server, last);
      stop.set(true);
      for (Thread t : readers) {
        t.join();
      }
      assertThat(failure.get()).isNull();
      assertThat(reads.get()).isPositive();
      assertThat(server.learner().offset()).isEqualTo(last);
    }
  }
}
