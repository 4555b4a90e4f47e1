package io.perennial.server;

import static io.perennial.server.TestServers.ADMIN;
import static io.perennial.server.TestServers.INGEST;
import static io.perennial.server.TestServers.READ;
import static io.perennial.server.TestServers.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.data.InteractionType;
import io.perennial.model.AbstractRecommender;
import io.perennial.server.TestServers.Reply;
import io.perennial.server.http.ApiKeys;
import io.perennial.server.http.HttpOptions;
import io.perennial.server.learn.Retention;
import io.perennial.server.search.TopKSearch;
import io.perennial.server.store.DataDirectory;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.NewEvent;
import io.perennial.server.store.PrivacyStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention purges on a schedule measured by a fake clock, through the store and through the server. */
class RetentionTest {

  private static final long DAY = 86_400;
  private static final long BASE = 1_600_000_000L;

  @TempDir Path dir;

  /** A clock the test moves by hand. */
  static final class FakeClock extends Clock {
    private volatile Instant now;

    FakeClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static NewEvent at(String user, long ts) {
    return new NewEvent(null, user, "i1", InteractionType.VIEW, 1f, ts);
  }

  @Test
  void eventsOlderThanThePeriodLeaveTheStoreOnTheSchedule() throws InterruptedException {
    FakeClock clock = new FakeClock(Instant.ofEpochSecond(BASE + 45 * DAY));
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      store.append(List.of(at("a", BASE), at("b", BASE + 10 * DAY), at("c", BASE + 20 * DAY), at("d", BASE + 40 * DAY)))
          .join();
      PrivacyStore privacy = new PrivacyStore(store);
      try (Retention retention = new Retention(privacy, clock, 30)) {
        assertThat(retention.purgeNow().orElseThrow().eventsRemoved()).isEqualTo(2);
        assertThat(store.count()).isEqualTo(2);
        assertThat(store.lastOffset()).as("offsets do not move").isEqualTo(4);
        assertThat(retention.status().get("oldest_event")).isEqualTo(Instant.ofEpochSecond(BASE + 20 * DAY).toString());
        assertThat(retention.purgeNow().orElseThrow().eventsRemoved()).as("nothing more is old yet").isZero();

        retention.start(Duration.ofMillis(20));
        clock.advance(Duration.ofDays(10));
        long deadline = System.currentTimeMillis() + 10_000;
        while (store.count() > 1 && System.currentTimeMillis() < deadline) {
          Thread.sleep(10);
        }
        assertThat(store.count()).as("the schedule purged the event that aged out").isEqualTo(1);
        assertThat(store.readAfter(-1, 10)).extracting(e -> e.user()).containsExactly("d");
        @SuppressWarnings("unchecked")
        var last = (java.util.Map<String, Object>) retention.status().get("last_purge");
        assertThat(last.get("cutoff")).isIn(Instant.ofEpochSecond(BASE + 25 * DAY).toString(),
            Instant.ofEpochSecond(BASE + 25 * DAY).toString());

        retention.setDays(0);
        clock.advance(Duration.ofDays(1000));
        assertThat(retention.purgeNow()).as("0 keeps events forever").isEmpty();
        assertThat(store.count()).isEqualTo(1);
        assertThat(privacy.savedRetentionDays()).contains(0);
        assertThatThrownBy(() -> retention.setDays(-1)).hasMessageContaining("between 0");
      }
    }
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      assertThat(store.lastOffset()).isEqualTo(4);
      assertThat(store.append(List.of(at("e", BASE))).join().lastOffset()).as("no offset is reused").isEqualTo(5);
    }
  }

  @Test
  void theAdminRouteSetsThePeriodAndTheNextRetrainNoLongerHoldsThePurgedEvents() throws Exception {
    FakeClock clock = new FakeClock(Instant.ofEpochSecond(BASE + 30 * DAY));
    HttpOptions http = new HttpOptions("127.0.0.1", 0,
        ApiKeys.parse(ADMIN + ":admin," + INGEST + ":ingest," + READ + ":read"), 1 << 20, 0, null, null, null);
    try (PerennialServer server = PerennialServer.start(dir, TestServers.settings("online", 60_000), http,
        TopKSearch.exact(), TestServers::seed, new PrivacyOptions(null, Duration.ofHours(1), clock))) {
      TestServers.awaitReady(server);
      Reply old = call(server, "POST", "/v1/events", INGEST, "[{\"user\":\"old-user\",\"item\":\"i3\",\"type\":\"view\","
          + "\"timestamp\":" + (BASE - 400 * DAY) + "},{\"user\":\"old-user\",\"item\":\"i4\",\"type\":\"view\",\"timestamp\":"
          + (BASE - 400 * DAY) + "}]");
      TestServers.awaitOffset(server, old.body().path("last_offset").asLong());
      int oldUser = server.learner().users().indexOf("old-user");
      assertThat(history(server, oldUser)).isEqualTo(2);
      long liveBefore = server.learner().served().version();

      assertThat(call(server, "PUT", "/v1/privacy/retention", READ, "{\"days\": 365}").status()).isEqualTo(403);
      assertThat(call(server, "PUT", "/v1/privacy/retention", ADMIN, "{\"days\": -3}").status()).isEqualTo(400);
      assertThat(call(server, "PUT", "/v1/privacy/retention", ADMIN, "{\"days\": \"x\"}").status()).isEqualTo(400);
      Reply set = call(server, "PUT", "/v1/privacy/retention", ADMIN, "{\"days\": 365}");
      assertThat(set.status()).as(set.text()).isEqualTo(200);
      assertThat(set.body().path("days").asInt()).isEqualTo(365);
      assertThat(set.body().path("purged_now").asInt()).isEqualTo(2);
      assertThat(set.body().path("last_purge").path("events_removed").asInt()).isEqualTo(2);
      assertThat(server.store().count()).isEqualTo(5_000);

      long deadline = System.currentTimeMillis() + 60_000;
      while (server.learner().served().version() == liveBefore && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(server.learner().served().version()).as("a retrain went live after the purge").isNotEqualTo(liveBefore);
      assertThat(history(server, oldUser)).as("the retrained model holds none of the purged events").isZero();

      Reply stats = call(server, "GET", "/v1/stats", READ, null);
      assertThat(stats.body().path("retention").path("days").asInt()).isEqualTo(365);
      assertThat(stats.body().path("retention").path("oldest_event").asText()).startsWith("2020-09");
      assertThat(stats.body().path("retention").path("last_purge").path("at").asText())
          .isEqualTo(clock.instant().toString());
    }
    try (PerennialServer again = PerennialServer.start(dir, TestServers.settings("online", 60_000),
        new HttpOptions("127.0.0.1", 0, ApiKeys.parse(ADMIN + ":admin"), 1 << 20, 0, null, null, null),
        TopKSearch.exact(), s -> {}, new PrivacyOptions(null, Duration.ofHours(1), clock))) {
      assertThat(again.retention().days()).as("the period set by the route survives a restart").isEqualTo(365);
    }
  }

  private static int history(PerennialServer server, int user) {
    return server.learner().served().read(m -> ((AbstractRecommender) m).history().items(user).length);
  }
}
