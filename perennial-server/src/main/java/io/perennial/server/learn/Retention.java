package io.perennial.server.learn;

import io.perennial.server.store.PrivacyStore;
import io.perennial.server.store.PrivacyStore.Purge;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps events no longer than allowed: on a schedule, events whose timestamp is more than
 * {@code days} days before the clock's now are deleted from the store (one transaction per purge,
 * recorded with its cutoff). The learner then drops them from its in-memory history and starts a
 * full retrain, so the model that goes live next was trained without them. {@code days = 0} keeps
 * events forever. The clock is injected, so the schedule can be tested without waiting days.
 */
public final class Retention implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
  /** Longest retention accepted (about 100 years): beyond it a timestamp cutoff underflows nothing useful. */
  public static final int MAX_DAYS = 36_500;

  private final PrivacyStore privacy;
  private final Clock clock;
  private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "perennial-retention");
    t.setDaemon(true);
    return t;
  });
  private volatile Learner learner;
  private volatile int days;

  /**
   * @param days initial retention in days (0 = forever)
   */
  public Retention(PrivacyStore privacy, Clock clock, int days) {
    this.privacy = privacy;
    this.clock = clock;
    this.days = checkDays(days);
  }

  /** Checks a retention period given by a user. */
  public static int checkDays(int days) {
    if (days < 0 || days > MAX_DAYS) {
      throw new IllegalArgumentException("retention days must be between 0 (keep forever) and " + MAX_DAYS + ", got " + days);
    }
    return days;
  }

  /** The learner told to drop purged events and retrain after a purge that removed some. */
  public void attach(Learner learner) {
    this.learner = learner;
  }

  /** Purges now, then every {@code every} (the first purge runs on the caller's thread). */
  public Retention start(Duration every) {
    purgeNow();
    long millis = Math.max(1, every.toMillis());
    schedule.scheduleWithFixedDelay(() -> {
      try {
        purgeNow();
      } catch (RuntimeException e) {
        LOG.error("retention purge failed", e);
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
    return this;
  }

  public int days() {
    return days;
  }

  /** Changes the retention period, saves it for restarts, and purges at once. */
  public synchronized Optional<Purge> setDays(int newDays) {
    days = checkDays(newDays);
    privacy.saveRetentionDays(newDays);
    return purgeNow();
  }

  /**
   * Deletes the events older than the retention period; nothing when it is 0. A purge that removed
   * events makes the learner rebuild its history and retrain.
   */
  public synchronized Optional<Purge> purgeNow() {
    int d = days;
    if (d == 0) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    long cutoff = now.minus(Duration.ofDays(d)).getEpochSecond();
    Purge purge = privacy.purgeOlderThan(cutoff, now.toEpochMilli());
    if (purge.eventsRemoved() > 0) {
      LOG.info("retention: deleted {} events older than {} days (before {})", purge.eventsRemoved(), d,
          Instant.ofEpochSecond(cutoff));
      Learner l = learner;
      if (l != null && l.ready()) {
        l.storeLostEvents();
        l.retrain();
      } else if (l != null) {
        // the model being loaded may hold the purged events: retrain once it is up
        Thread later = new Thread(() -> retrainWhenReady(l), "perennial-retention-retrain");
        later.setDaemon(true);
        later.start();
      }
    }
    return Optional.of(purge);
  }

  private static void retrainWhenReady(Learner l) {
    try {
      long deadline = System.currentTimeMillis() + 3_600_000;
      while (!l.ready() && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      if (l.ready()) {
        l.storeLostEvents();
        l.retrain();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** For the dashboard and the admin route: the period, the oldest event kept and the last purge. */
  public Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("days", days);
    Optional<Long> oldest = privacy.oldestTimestamp();
    out.put("oldest_event", oldest.map(ts -> Instant.ofEpochSecond(ts).toString()).orElse(null));
    Optional<Purge> last = privacy.lastPurge();
    if (last.isPresent()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("at", Instant.ofEpochMilli(last.get().atMillis()).toString());
      p.put("cutoff", Instant.ofEpochSecond(last.get().cutoffSeconds()).toString());
      p.put("events_removed", last.get().eventsRemoved());
      out.put("last_purge", p);
    } else {
      out.put("last_purge", null);
    }
    return out;
  }

  @Override
  public void close() {
    schedule.shutdownNow();
  }
}
