package io.perennial.server.learn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.IdIndex;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.Unlearning;
import io.perennial.server.store.ModelRegistry;
import io.perennial.server.store.ModelVersion;
import io.perennial.server.store.PrivacyStore;
import io.perennial.server.store.PrivacyStore.PendingDeletion;
import io.perennial.server.store.PrivacyStore.RemovedEvent;
import io.perennial.server.store.StoreException;
import io.perennial.store.Checkpoint;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets a user everywhere, in this order: their events leave the store together with a pending
 * audit record (one transaction); the running model forgets them ({@link Learner#forgetUser});
 * every registered checkpoint that holds them is rewritten without them or deleted; the audit
 * record is completed with what was done and loses the raw id. A crash between the first and the
 * last step leaves the pending record, and {@link #resumePending} finishes it before the next
 * learner starts, so a deletion is either not begun or, once the server serves again, complete.
 *
 * <p>Checkpoints: when the model's unlearning is exact (iALS), every version holding the user is
 * rewritten; when it is approximate (SGD models), the current version is rewritten (it is what a
 * restart loads until the scheduled retrain replaces it) and the older ones are deleted, since
 * their item rows keep the user's influence and a rollback to them would bring it back.
 */
public final class Forgetting {

  private static final Logger LOG = LoggerFactory.getLogger(Forgetting.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrivacyStore privacy;
  private final ModelRegistry registry;
  private final UnaryOperator<String> pseudonym;
  private final Clock clock;
  private volatile Learner learner;

  /**
   * @param pseudonym the keyed pseudonym the audit names a user by
   */
  public Forgetting(PrivacyStore privacy, ModelRegistry registry, UnaryOperator<String> pseudonym, Clock clock) {
    this.privacy = privacy;
    this.registry = registry;
    this.pseudonym = pseudonym;
    this.clock = clock;
  }

  /** The running learner, once started; without one (the {@code forget} command) only the store and checkpoints change. */
  public void attach(Learner learner) {
    this.learner = learner;
  }

  /** The id a forgotten user's index carries in id lists from now on: never a valid id (it holds a control character). */
  static String tombstone(long deletionId) {
    return "\u0000forgotten-" + deletionId;
  }

  /**
   * Forgets {@code userId} and returns the report the audit record keeps: events removed, what the
   * live model did and with which guarantee, and each checkpoint's fate.
   */
  public synchronized ObjectNode forget(String userId) {
    Learner running = learner;
    if (running != null && !running.ready()) {
      // the learner may be loading a checkpoint that still holds the user: nothing is begun yet
      throw new IllegalStateException("the model is still loading; nothing was deleted, try again when "
          + "/health/ready answers");
    }
    PendingDeletion deletion = privacy.beginDeletion(userId, pseudonym.apply(userId), clock.millis());
    return finish(deletion);
  }

  /**
   * Finishes deletions a crash interrupted (their events are already gone): checkpoints are
   * cleaned before a learner loads one. Call before the learner starts.
   */
  public synchronized List<ObjectNode> resumePending() {
    List<ObjectNode> done = new java.util.ArrayList<>();
    for (PendingDeletion pending : privacy.pendingDeletions()) {
      LOG.warn("finishing deletion {} that was interrupted", pending.id());
      ObjectNode report = finish(pending);
      report.put("resumed_after_restart", true);
      done.add(report);
    }
    return done;
  }

  private ObjectNode finish(PendingDeletion deletion) {
    String userId = deletion.userId();
    String tombstone = tombstone(deletion.id());
    ObjectNode report = JSON.createObjectNode();
    report.put("deletion_id", deletion.id());
    report.put("user", pseudonym.apply(userId));
    report.put("events_removed", deletion.removed().size());
    List<RemovedEvent> removed = deletion.removed();
    long[] offsets = removed.stream().mapToLong(RemovedEvent::offset).toArray();
    String[] items = removed.stream().map(RemovedEvent::item).toArray(String[]::new);

    Learner running = learner;
    boolean approximate = false;
    ObjectNode live = report.putObject("live_model");
    if (running != null && running.ready()) {
      Learner.Forgotten f = await(running.forgetUser(userId, tombstone, offsets, items));
      live.put("version", f.liveVersion());
      describe(live, f.unlearning());
      live.put("retrain", f.retrainScheduled() ? "started" : "not needed");
      approximate = f.unlearning() != null && f.unlearning().needsRetrain();
    } else {
      live.put("status", "no model running: the current checkpoint below is what the next start serves");
    }

    long current = registry.current().map(ModelVersion::version).orElse(-1L);
    ArrayNode checkpoints = report.putArray("checkpoints");
    for (ModelVersion mv : registry.list()) {
      ObjectNode c = checkpoints.addObject();
      c.put("version", mv.version());
      c.put("action", cleanCheckpoint(mv.version(), mv.version() == current, userId, tombstone, offsets, items, c));
      approximate |= c.path("guarantee").asText().equals(Unlearning.Guarantee.APPROXIMATE.wireName())
          && mv.version() == current && (running == null || !running.ready());
    }
    report.put("guarantee", approximate ? "approximate until the retrain without the user's events goes live"
        : "exact: no parameter keeps the user's influence (given the other users' rows)");
    if (running == null || !running.ready()) {
      if (approximate) {
        privacy.setRetrainRequested(true);
      }
      report.put("retrain", approximate ? "scheduled: the next server retrains as soon as its model is loaded"
          : "not needed");
    }
    privacy.completeDeletion(deletion.id(), report, clock.millis());
    if (running != null) {
      running.storeLostEvents();
    }
    LOG.info("deletion {} complete: {} events removed", deletion.id(), removed.size());
    return report;
  }

  /** Rewrites or deletes one version's checkpoint if it holds the user; returns what was done. */
  private String cleanCheckpoint(long version, boolean current, String userId, String tombstone, long[] offsets,
      String[] items, ObjectNode out) {
    if (!registry.hasFile(version)) {
      return "none: no checkpoint file (pruned earlier)";
    }
    Checkpoint cp;
    try {
      cp = registry.load(version);
    } catch (StoreException e) {
      registry.deleteCheckpoint(version);
      return "deleted: the checkpoint could not be read (" + e.getMessage() + ")";
    }
    int user = cp.users().indexOf(userId);
    if (user < 0) {
      return "unchanged: did not hold the user";
    }
    Recommender model = Algorithms.restore(cp.state());
    Unlearning result = model instanceof AbstractRecommender ar
        ? ar.forgetUser(user, itemsIn(cp.items(), offsets, items, cp.provenance().lastOffset())) : null;
    describe(out, result);
    if (result != null && (!result.needsRetrain() || current)) {
      IdIndex users = cp.users().copy();
      users.replace(user, tombstone);
      registry.rewrite(version, new Checkpoint(model.state(), users, cp.items(), cp.provenance()));
      return "rewritten without the user";
    }
    registry.deleteCheckpoint(version);
    return "deleted: its item rows would keep the user's influence";
  }

  private static int[] itemsIn(IdIndex itemIds, long[] offsets, String[] items, long upTo) {
    int[] out = new int[offsets.length];
    int n = 0;
    for (int e = 0; e < offsets.length; e++) {
      int item = itemIds.indexOf(items[e]);
      if (item >= 0 && offsets[e] <= upTo) {
        out[n++] = item;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static void describe(ObjectNode out, Unlearning u) {
    if (u == null) {
      out.put("guarantee", "none: the model held nothing of the user");
      return;
    }
    out.put("guarantee", u.guarantee().wireName());
    out.put("items_touched", u.itemsTouched());
    out.put("items_recomputed", u.itemsResolved());
    out.put("items_reset_to_prior", u.itemsReset());
    out.put("method", u.method());
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.get(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while the model forgot the user; the deletion finishes at the next start");
    } catch (ExecutionException e) {
      throw new StoreException("the running model could not forget the user: " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new StoreException("the running model did not forget the user in time; the deletion finishes at the next start");
    }
  }

  /**
   * Starts the retrain a deletion without a running server asked for, once {@code learner} has a
   * model; the request is cleared when the retrained model is live.
   */
  public void retrainIfRequested(Learner learner) {
    if (!privacy.retrainRequested()) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        while (!learner.ready()) {
          Thread.sleep(200);
        }
        learner.retrain().thenRun(() -> privacy.setRetrainRequested(false));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "perennial-forget-retrain");
    t.setDaemon(true);
    t.start();
  }

  /** The audit log, newest first. */
  public List<PrivacyStore.DeletionRecord> audit(int limit) {
    return privacy.deletions(limit);
  }

  /**
   * The audit records of one user, found by their pseudonym (computed here; the raw id is not
   * stored), newest first: how an operator shows that a given person's deletion happened.
   */
  public List<PrivacyStore.DeletionRecord> auditOf(String userId, int limit) {
    String wanted = pseudonym.apply(userId);
    return privacy.deletions(Integer.MAX_VALUE).stream().filter(r -> r.pseudonym().equals(wanted)).limit(limit).toList();
  }

}
