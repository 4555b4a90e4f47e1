package io.perennial.server;

import static io.perennial.server.TestServers.INGEST;
import static io.perennial.server.TestServers.READ;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.kernel.Int8Table;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Recommender;
import io.perennial.model.quantized.Quantization;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.server.TestServers.Reply;
import io.perennial.store.Checkpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --quantize int8}: requests are answered by int8 tables that follow the float learner. */
class QuantizedServingTest {

  @TempDir Path dir;

  private static String events(int from, int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int e = from; e < from + n; e++) {
      sb.append(e == from ? "" : ",").append("{\"user\":\"q").append(e % 40).append("\",\"item\":\"n")
          .append((e * 7) % 90).append("\",\"type\":\"click\",\"id\":\"qe").append(e).append("\"}");
    }
    return sb.append("]").toString();
  }

  @Test
  void recommendationsOverHttpAreTheInt8ScoresAndAgreeWithFp32sTopLists() throws Exception {
    try (PerennialServer server = TestServers.start(dir, TestServers.settings("online", 60_000).servedAs(Quantization.INT8))) {
      TestServers.awaitReady(server);
      Reply stats = call(server, "GET", "/v1/stats", READ, null);
      assertThat(stats.body().path("model_type").asText()).isEqualTo(QuantizedModel.TYPE);
      JsonNode tables = stats.body().path("served_tables");
      assertThat(tables.path("quantization").asText()).isEqualTo("int8");
      assertThat(tables.path("bytes_per_item").asInt()).as("16 one-byte codes and a float scale").isEqualTo(20);
      assertThat(tables.path("table_bytes").asLong() * 3).isLessThan(tables.path("fp32_table_bytes").asLong());

      // the learned model is kept in floats: the registry's first version is the float BPR it trained
      Checkpoint cp = server.registry().load(server.registry().current().orElseThrow().version());
      Recommender fp32 = Algorithms.restore(cp.state());
      assertThat(fp32).isInstanceOf(FactorModel.class);
      QuantizedModel int8 = QuantizedModel.of(fp32);

      int users = 0;
      double overlap = 0;
      int scoresOffFp32 = 0;
      for (int u = 0; u < cp.users().size(); u += 10) {
        String id = cp.users().idOf(u);
        Reply recs = call(server, "GET", "/v1/users/" + id + "/recommendations?k=10", READ, null);
        assertThat(recs.status()).isEqualTo(200);
        if (recs.body().path("fallback").asBoolean()) {
          continue;
        }
        List<Integer> served = new ArrayList<>();
        for (JsonNode item : recs.body().path("items")) {
          int index = cp.items().indexOf(item.path("item").asText());
          served.add(index);
          float score = (float) item.path("score").asDouble();
          assertThat(score).as("user %s item %s scored on the int8 tables", id, index)
              .isCloseTo(int8.score(u, index), within(1e-4f));
          scoresOffFp32 += Math.abs(score - fp32.score(u, index)) > 1e-4f ? 1 : 0;
        }
        Set<Integer> exact = new HashSet<>();
        for (int i : fp32.recommend(u, 10, true, null).ids()) {
          exact.add(i);
        }
        overlap += served.stream().filter(exact::contains).count() / 10.0;
        users++;
      }
      System.out.printf("int8 serving over HTTP: mean top-10 overlap with fp32 %.3f over %d users (16 factors)%n",
          overlap / users, users);
      assertThat(users).isGreaterThan(20);
      assertThat(scoresOffFp32).as("the scores are not the float model's").isPositive();
      assertThat(overlap / users).as("mean top-10 overlap with fp32").isGreaterThan(0.85);
    }
  }

  @Test
  void theInt8CopyFollowsEveryRowTheOnlineLearnerChangesAndCheckpointsStayFloat() throws Exception {
    try (PerennialServer server = TestServers.start(dir, TestServers.settings("online", 60_000).servedAs(Quantization.INT8))) {
      TestServers.awaitReady(server);
      QuantizedModel before = (QuantizedModel) server.learner().served().model();
      int usersBefore = before.userCount();
      int itemsBefore = before.itemCount();
      long last = call(server, "POST", "/v1/events", INGEST, events(0, 600)).body().path("last_offset").asLong();
      TestServers.awaitOffset(server, last);
      server.learner().served().read(m -> {
        QuantizedModel q = (QuantizedModel) m;
        assertThat(q).as("in-place learning keeps the same served copy").isSameAs(before);
        FactorModel f = q.fp32();
        assertThat(q.userCount()).isEqualTo(f.userCount()).isEqualTo(usersBefore + 40);
        assertThat(q.itemCount()).isEqualTo(f.itemCount()).isEqualTo(itemsBefore + 90);
        assertSameCodes((Int8Table) q.userTable(), Int8Table.quantize(f.userFactors(), f.userCount(), f.factors()));
        assertSameCodes((Int8Table) q.itemTable(), Int8Table.quantize(f.itemFactors(), f.itemCount(), f.factors()));
        return null;
      });
      Reply recs = call(server, "GET", "/v1/users/q3/recommendations?k=5", READ, null);
      assertThat(recs.body().path("fallback").asBoolean()).as("a user learned online is served from int8").isFalse();
      assertThat(recs.body().path("model").path("type").asText()).isEqualTo(QuantizedModel.TYPE);
    }
    try (PerennialServer server = TestServers.start(dir, TestServers.settings("online", 60_000))) {
      TestServers.awaitReady(server);
      Checkpoint cp = server.registry().load(server.registry().current().orElseThrow().version());
      assertThat(cp.state().type()).as("the learner's float model is what was checkpointed").isEqualTo("bpr");
      assertThat(cp.users().size()).isEqualTo(server.learner().served().model().userCount());
    }
  }

  @Test
  void fp16ServingFollowsTheOnlineLearnerAtTwoBytesPerFactor() throws Exception {
    try (PerennialServer server = TestServers.start(dir, TestServers.settings("online", 60_000).servedAs(Quantization.FP16))) {
      TestServers.awaitReady(server);
      Reply stats = call(server, "GET", "/v1/stats", READ, null);
      assertThat(stats.body().path("model_type").asText()).isEqualTo(QuantizedModel.TYPE_FP16);
      JsonNode tables = stats.body().path("served_tables");
      assertThat(tables.path("quantization").asText()).isEqualTo("fp16");
      assertThat(tables.path("bytes_per_item").asInt()).as("16 two-byte halves").isEqualTo(32);
      assertThat(tables.path("table_bytes").asLong() * 2).isEqualTo(tables.path("fp32_table_bytes").asLong());
      long last = call(server, "POST", "/v1/events", INGEST, events(0, 300)).body().path("last_offset").asLong();
      TestServers.awaitOffset(server, last);
      server.learner().served().read(m -> {
        QuantizedModel q = (QuantizedModel) m;
        FactorModel f = q.fp32();
        // every row the learner changed or added is re-coded: the halves are those of the float rows
        io.perennial.kernel.Fp16Table expected = io.perennial.kernel.Fp16Table.quantize(f.itemFactors(),
            f.itemCount(), f.factors());
        assertThat(((io.perennial.kernel.Fp16Table) q.itemTable()).halves()).isEqualTo(expected.halves());
        assertThat(q.userCount()).isEqualTo(f.userCount());
        return null;
      });
      Reply recs = call(server, "GET", "/v1/users/q3/recommendations?k=5", READ, null);
      assertThat(recs.body().path("fallback").asBoolean()).isFalse();
      assertThat(recs.body().path("model").path("type").asText()).isEqualTo("fp16");
    }
  }

  @Test
  void staticServingKeepsOnlyTheInt8Tables() throws Exception {
    try (PerennialServer server = TestServers.start(dir, TestServers.settings("static", 60_000).servedAs(Quantization.INT8))) {
      TestServers.awaitReady(server);
      QuantizedModel q = (QuantizedModel) server.learner().served().model();
      assertThat(q.follows()).isFalse();
      Reply stats = call(server, "GET", "/v1/stats", READ, null);
      assertThat(stats.body().path("served_tables").path("float_tables_kept_for_learning").asBoolean()).isFalse();
      Reply recs = call(server, "GET", "/v1/users/" + server.learner().users().snapshot().idOf(0)
          + "/recommendations?k=5", READ, null);
      assertThat(recs.body().path("items")).hasSize(5);
    }
  }

  private static void assertSameCodes(Int8Table actual, Int8Table expected) {
    assertThat(actual.rows()).isEqualTo(expected.rows());
    assertThat(actual.codes()).isEqualTo(expected.codes());
    assertThat(actual.scales()).isEqualTo(expected.scales());
  }
}
