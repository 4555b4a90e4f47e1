package io.perennial.server.learn;

import io.perennial.continual.Strategies;
import io.perennial.continual.StreamContext;
import io.perennial.continual.StreamEvent;
import io.perennial.continual.UpdateStrategy;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.ReadReport;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Algorithms;
import io.perennial.model.ModelHealth;
import io.perennial.model.OnlineLearner;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingOptions;
import io.perennial.model.Unlearning;
import io.perennial.model.Update;
import io.perennial.model.FactorModel;
import io.perennial.model.quantized.Quantization;
import io.perennial.model.quantized.QuantizedModel;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.ModelRegistry;
import io.perennial.server.store.ModelVersion;
import io.perennial.server.store.StoredEvent;
import io.perennial.store.Checkpoint;
import io.perennial.store.Provenance;
import io.perennial.store.Renumbering;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background learner: one thread that reads the event store from the served model's last
 * offset and applies the configured {@link UpdateStrategy}, so the model keeps learning while it
 * serves. It owns the model's writes: in-place strategies ({@code online}) change the served model
 * under its write lock in short batches; the others build a new model and swap it in atomically.
 * Full retrains run on a second thread against a snapshot of the store, are caught up with the
 * events that arrived meanwhile, and then replace the running model ({@code hybrid} and
 * {@code POST /v1/models/retrain}). The running model is checkpointed into the registry on a
 * schedule and on shutdown; after a restart the learner resumes from the current version's offset.
 * Every model that would replace the served one (a retrain, an activated version, the checkpoint
 * loaded at start-up) must pass the {@link HealthGate}; a refused one is logged, reported in
 * {@code lastError}, and never served.
 *
 * <p>With int8 (or fp16) serving ({@link LearnerSettings#serving()}) requests are answered by a {@link
 * QuantizedModel} of the model the strategy learns, which stays in floats (so learning loses
 * nothing to rounding and checkpoints keep the float tables): a model swapped in is quantised
 * whole, and one learned in place is followed row by row — each write-lock hold ends by
 * re-coding the rows it changed ({@link QuantizedModel#catchUp}). The {@code static} strategy
 * learns nothing, so it keeps only the quantised model and the float tables are dropped.
 */
public final class Learner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Learner.class);
  private static final int READ_PAGE = 4096;
  private static final int HR_WINDOW = 2000;
  /**
   * Longest the learner keeps requests waiting: each event is applied whole under the write lock,
   * but a chunk is split into holds of about this length.
   */
  private static final long MAX_WRITE_LOCK_NANOS = 300_000;
  /** How long the learner polls for the write lock before it queues for it. */
  private static final long MAX_WRITE_WAIT_NANOS = 5_000_000;
  private static final long WRITE_POLL_NANOS = 20_000;
  private static final String ENGINE = "perennial "
      + Optional.ofNullable(Learner.class.getPackage().getImplementationVersion()).orElse("dev");

  private final EventStore store;
  private final ModelRegistry registry;
  private final LearnerSettings settings;
  private final AtomicReference<ServedModel> served = new AtomicReference<>();
  private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
  private final ExecutorService retrainer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "perennial-retrain");
    t.setDaemon(true);
    return t;
  });
  private final SplittableRandom random;
  private final HealthGate health;
  private final DelayRecorder delays = new DelayRecorder();
  private final boolean[] hrWindow = new boolean[HR_WINDOW];
  private final List<double[]> hrSeries = new ArrayList<>();
  private final Thread thread;

  private volatile boolean running = true;
  private volatile long appliedOffset = -1;
  private volatile long eventsApplied;
  private volatile String lastError;
  private volatile CompletableFuture<ModelVersion> retraining;
  private volatile long oldestUnappliedMillis;
  private volatile long checkpointWriteMillis;
  /** Whether the learner has once had nothing left to apply since it started (learner thread only). */
  private boolean caughtUp;
  /**
   * Set when the store lost events the learner may already have read (a user forgotten, a purge):
   * the rest of the page is dropped and read again (learner thread only).
   */
  private boolean pageStale;
  /** Indices of forgotten users: forgotten again in any model that goes live (learner thread only). */
  private final java.util.BitSet forgotten = new java.util.BitSet();

  // owned by the learner thread
  private IdIndex users;
  private IdIndex items;
  private final SharedIds sharedUsers = new SharedIds();
  private final SharedIds sharedItems = new SharedIds();
  private StreamContext context;
  private UpdateStrategy strategy;
  /** The model the strategy learns: the served one, or what the served int8 copy follows. */
  private Recommender learning;
  private long modelOffset = -1;
  private long lastCheckpointMillis = System.currentTimeMillis();
  private boolean dirty;
  private long sinceRetrain;
  private int hrTests;
  private int hrHits;
  private int hrNext;
  private long lastSeriesMillis;

  public Learner(EventStore store, ModelRegistry registry, LearnerSettings settings) {
    this.store = store;
    this.registry = registry;
    this.settings = settings;
    this.random = new SplittableRandom(settings.seed());
    this.health = new HealthGate(store, settings.strategyConfig().maxNorm());
    Strategies.create(serverStrategyName()); // fail fast on an unknown name
    this.thread = new Thread(this::run, "perennial-learner");
    thread.setDaemon(true);
  }

  /** Starts the learner thread: it loads or trains the first model, then follows the store. */
  public Learner start() {
    thread.start();
    return this;
  }

  /** The model to serve, or {@code null} until the first one is loaded. */
  public ServedModel served() {
    return served.get();
  }

  public boolean ready() {
    return served.get() != null;
  }

  public SharedIds users() {
    return sharedUsers;
  }

  public SharedIds items() {
    return sharedItems;
  }

  /** Offset of the last event applied. */
  public long offset() {
    return appliedOffset;
  }

  /** Milliseconds from commit to visibility of recently applied events. */
  public DelayRecorder delays() {
    return delays;
  }

  public LearnerStatus status() {
    long lag = Math.max(0, store.lastOffset() - appliedOffset);
    double lagSeconds = lag == 0 || oldestUnappliedMillis == 0 ? 0
        : Math.max(0, (System.currentTimeMillis() - oldestUnappliedMillis) / 1000.0);
    UpdateStrategy s = strategy;
    int tests;
    int hits;
    synchronized (hrWindow) {
      tests = hrTests;
      hits = hrHits;
    }
    return new LearnerStatus(settings.strategy(), settings.algorithm(), appliedOffset, lag, lagSeconds,
        s == null ? 0 : s.stats().acceptedCount(), s == null ? 0 : s.stats().rejectedCount(), eventsApplied,
        tests == 0 ? 0 : (double) hits / tests, tests, retraining != null && !retraining.isDone(), checkpointWriteMillis,
        delays.summary(), lastError);
  }

  /** Prequential HR@10 over time: {epoch millis, HR@10} points, oldest first. */
  public List<double[]> prequentialSeries() {
    synchronized (hrSeries) {
      return List.copyOf(hrSeries);
    }
  }

  /**
   * Starts a full retrain on everything stored so far in the background. When it finishes, the
   * events that arrived meanwhile are replayed onto it and it replaces the running model.
   */
  public synchronized CompletableFuture<ModelVersion> retrain() {
    CompletableFuture<ModelVersion> current = retraining;
    if (current != null && !current.isDone()) {
      return current;
    }
    if (!ready()) {
      return CompletableFuture.failedFuture(new IllegalStateException("no model loaded yet"));
    }
    CompletableFuture<ModelVersion> done = new CompletableFuture<>();
    retraining = done;
    retrainer.execute(() -> {
      try {
        long upTo = appliedOffset;
        IdIndex u = sharedUsers.snapshot();
        IdIndex i = sharedItems.snapshot();
        Recommender model = trainOn(u, i, upTo);
        commands.add(() -> adoptRetrained(model, upTo, done));
      } catch (RuntimeException e) {
        LOG.error("retrain failed", e);
        lastError = "retrain failed: " + e.getMessage();
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  /**
   * Makes a registered version the running model (a rollback). With {@code catchUp} the events
   * stored after that version's offset are replayed onto it; without, it goes live as it was and
   * those events are not learned by it — which is what a rollback away from them wants.
   */
  public CompletableFuture<ModelVersion> activate(long version, boolean catchUp) {
    ModelVersion mv = registry.find(version).orElseThrow(() -> new IllegalArgumentException("no model version " + version));
    if (!registry.hasFile(version)) {
      throw new IllegalArgumentException("model version " + version + " was pruned (its checkpoint file is gone)");
    }
    CompletableFuture<ModelVersion> done = new CompletableFuture<>();
    commands.add(() -> {
      try {
        Checkpoint cp = registry.load(version);
        requirePrefix(cp.users(), users, "user");
        requirePrefix(cp.items(), items, "item");
        Recommender model = Algorithms.restore(cp.state());
        forgetAgain(model);
        if (catchUp) {
          replayOnto(model, cp.provenance().lastOffset(), appliedOffset);
        }
        health.require(model, users, items, catchUp ? appliedOffset : cp.provenance().lastOffset(),
            "model version " + version);
        model = learnable(model);
        strategy = Strategies.create(serverStrategyName());
        strategy.resume(context, settings.strategyConfig(), model, appliedOffset);
        registry.activate(version);
        modelOffset = appliedOffset;
        goLive(version, model);
        dirty = catchUp;
        done.complete(mv);
      } catch (ModelRefusedException e) {
        done.completeExceptionally(refused(e.getMessage()));
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  /**
   * Puts a checkpoint trained elsewhere ({@code spark-train} on a cluster, {@code train} on another
   * machine) into the registry as a new version of kind {@code import} and makes it the running
   * model; the learner then keeps learning online from it (at cluster scale, the hybrid strategy:
   * full retrains in batch, per-event updates here). The checkpoint is renumbered into the server's
   * ids ({@link Renumbering}): ids it brings that the server has not seen are added, and the server's
   * users it lacks get the popularity fallback until they have new events. With {@code replayAfter}
   * the events stored after that offset are learned onto it first (what the batch export did not
   * hold). Like every model that would go live, it must pass the {@link HealthGate}; a refused one is
   * never registered and the running version stays live.
   *
   * @throws IllegalArgumentException (through the future) for a model of another algorithm than the
   *     server's, or one that cannot be renumbered
   */
  public CompletableFuture<ModelVersion> importModel(Checkpoint checkpoint, Long replayAfter) {
    if (!ready()) {
      return CompletableFuture.failedFuture(new IllegalStateException("no model loaded yet"));
    }
    String type = checkpoint.state().type();
    if (!type.equals(settings.algorithm())) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("the checkpoint is a " + type
          + " model and this server runs " + settings.algorithm() + " (its retrains and online updates are "
          + settings.algorithm() + "'s); start serve with --model " + type + " to import it"));
    }
    CompletableFuture<ModelVersion> done = new CompletableFuture<>();
    commands.add(() -> {
      ServedModel previous = served.get();
      try {
        Checkpoint renumbered;
        try {
          renumbered = Renumbering.into(checkpoint, users.ids(), items.ids());
        } catch (io.perennial.store.CheckpointException e) {
          throw new IllegalArgumentException(e.getMessage(), e);
        }
        Recommender model = Algorithms.restore(renumbered.state());
        for (int n = users.size(); n < renumbered.users().size(); n++) {
          String id = renumbered.users().idOf(n);
          users.getOrAdd(id);
          sharedUsers.append(id);
        }
        for (int n = items.size(); n < renumbered.items().size(); n++) {
          String id = renumbered.items().idOf(n);
          items.getOrAdd(id);
          sharedItems.append(id);
        }
        context.coverIds(users.size(), items.size());
        if (replayAfter != null && replayAfter < appliedOffset) {
          replayOnto(model, replayAfter, appliedOffset);
        }
        health.require(model, users, items, appliedOffset, "the imported model");
        strategy = Strategies.create(serverStrategyName());
        strategy.resume(context, settings.strategyConfig(), model, appliedOffset);
        Provenance source = checkpoint.provenance();
        Provenance p = new Provenance(source.seed(), "import of " + source.dataSource() + " (" + source.engineVersion()
            + ", " + source.interactions() + " interactions)", source.interactions(), source.firstTimestamp(),
            source.lastTimestamp(), appliedOffset, String.valueOf(previous.version()), source.metrics(),
            Instant.now().toString(), ENGINE);
        IdIndex u = IdIndex.of(users.ids().subList(0, Math.min(users.size(), model.userCount())));
        IdIndex i = IdIndex.of(items.ids().subList(0, Math.min(items.size(), model.itemCount())));
        ModelVersion mv = registry.register(new Checkpoint(model.state(), u, i, p), "import", previous.version(),
            metrics(), true);
        modelOffset = appliedOffset;
        served.set(new ServedModel(mv.version(), model));
        lastCheckpointMillis = System.currentTimeMillis();
        dirty = false;
        LOG.info("imported model ({} users × {} items from {}) is live as version {} at offset {}",
            model.userCount(), model.itemCount(), source.dataSource(), mv.version(), appliedOffset);
        done.complete(mv);
      } catch (ModelRefusedException e) {
        done.completeExceptionally(refused(e.getMessage() + "; version " + previous.version() + " stays live"));
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  private void run() {
    try {
      loadOrTrain();
      while (running) {
        runCommands();
        List<StoredEvent> page = store.readAfter(appliedOffset, READ_PAGE);
        if (page.isEmpty()) {
          oldestUnappliedMillis = 0;
          caughtUp = true;
          maybeCheckpoint(false);
          store.awaitAfter(appliedOffset, 50);
          continue;
        }
        oldestUnappliedMillis = page.get(0).receivedMillis();
        pageStale = false;
        for (int from = 0; from < page.size() && running && !pageStale; from += settings.maxBatch()) {
          applyChunk(page.subList(from, Math.min(page.size(), from + settings.maxBatch())));
          runCommands();
        }
        maybeRetrain();
        maybeCheckpoint(false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("the learner stopped", e);
      lastError = "learner stopped: " + e.getMessage();
    } finally {
      runCommands();
      if (served.get() != null) {
        try {
          maybeCheckpoint(true);
        } catch (RuntimeException e) {
          LOG.error("final checkpoint failed", e);
        }
      }
    }
  }

  private void loadOrTrain() throws InterruptedException {
    Optional<ModelVersion> current = registry.current();
    Recommender model = null;
    long version = -1;
    for (long candidate : current.isPresent() ? versionsToLoad(current.get().version()) : List.<Long>of()) {
      Checkpoint cp = registry.load(candidate);
      Recommender loaded = Algorithms.restore(cp.state());
      IdIndex loadedUsers = cp.users().copy();
      IdIndex loadedItems = cp.items().copy();
      ModelHealth.Verdict verdict = health.check(loaded, loadedUsers, loadedItems, cp.provenance().lastOffset());
      if (!verdict.healthy()) {
        refused("model version " + candidate + " was refused by the health check at start-up: " + verdict.reason());
        continue;
      }
      model = loaded;
      users = loadedUsers;
      items = loadedItems;
      appliedOffset = cp.provenance().lastOffset();
      version = candidate;
      if (candidate != current.get().version()) {
        registry.activate(candidate);
        LOG.warn("serving the last healthy version {} instead of version {}", candidate, current.get().version());
      }
      LOG.info("loaded model version {} ({}), resuming after offset {}", version, model.type(), appliedOffset);
      break;
    }
    if (model == null) {
      while (running && store.count() < settings.minEventsToTrain()) {
        store.awaitAfter(store.lastOffset(), 200);
      }
      if (!running) {
        return;
      }
      long upTo = store.lastOffset();
      users = new IdIndex();
      items = new IdIndex();
      model = trainOn(users, items, upTo);
      health.require(model, users, items, upTo, "the model trained at start-up");
      appliedOffset = upTo;
      ModelVersion mv = registry.register(checkpointOf(model, upTo, null), "initial", null, Map.of(), true);
      version = mv.version();
      LOG.info("trained the first model ({}) on {} events: version {}", model.type(), upTo, version);
    }
    for (String id : users.ids()) {
      sharedUsers.append(id);
    }
    for (String id : items.ids()) {
      sharedItems.append(id);
    }
    context = new StreamContext(settings.algorithm(), settings.modelConfig(), users, items);
    context.coverIds(users.size(), items.size());
    strategy = Strategies.create(serverStrategyName());
    if (strategy.needsHistory()) {
      forEachStored(-1, appliedOffset, e -> context.record(toStreamEvent(e)));
    }
    model = learnable(model);
    strategy.resume(context, settings.strategyConfig(), model, appliedOffset);
    modelOffset = appliedOffset;
    goLive(version, model);
  }

  /** Makes {@code model} the one learned and serves it, as int8 when so configured. */
  private void goLive(long version, Recommender model) {
    learning = model;
    served.set(new ServedModel(version, servedForm(model)));
  }

  /**
   * The form the strategy learns: floats, decoded from an int8 checkpoint if need be; for a
   * strategy that learns nothing and int8 serving, the int8 model alone.
   */
  private Recommender learnable(Recommender model) {
    boolean learns = !serverStrategyName().equalsIgnoreCase("static");
    if (model instanceof QuantizedModel q) {
      return learns ? q.fp32() : q;
    }
    if (!learns && settings.serving() != Quantization.NONE) {
      return QuantizedModel.of(model, settings.serving());
    }
    return model;
  }

  /** What requests read for the learned {@code model}: itself, or an int8 copy that follows it. */
  private Recommender servedForm(Recommender model) {
    if (settings.serving() == Quantization.NONE || model instanceof QuantizedModel) {
      return model;
    }
    return QuantizedModel.following((FactorModel) model, settings.serving());
  }

  /** Ends a hold of the served model's write lock: an int8 copy re-codes what the hold changed first. */
  private static void releaseWrites(ServedModel servedModel, Lock lock) {
    try {
      if (servedModel.model() instanceof QuantizedModel q) {
        q.catchUp();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The current version, then the older versions whose checkpoints still exist, newest first: where
   * start-up looks for a model that passes the health check. Versions newer than the current one
   * were rolled back on purpose and are not considered.
   */
  private List<Long> versionsToLoad(long current) {
    List<Long> versions = new ArrayList<>(List.of(current));
    for (ModelVersion mv : registry.list()) {
      if (mv.version() < current && registry.hasFile(mv.version())) {
        versions.add(mv.version());
      }
    }
    return versions;
  }

  /** Records a refused model: logged and reported in {@code lastError}; returns the exception to fail with. */
  private ModelRefusedException refused(String message) {
    lastError = message;
    LOG.error(message);
    return new ModelRefusedException(message);
  }

  /** Trains a fresh model on stored events up to {@code upTo}, assigning missing ids in {@code u}/{@code i}. */
  private Recommender trainOn(IdIndex u, IdIndex i, long upTo) {
    InteractionLog log = new InteractionLog(1 << 16);
    forEachStored(-1, upTo, e -> log.add(u.getOrAdd(e.user()), i.getOrAdd(e.item()), e.value(), e.timestamp(), e.type()));
    Dataset data = new Dataset(IdIndex.of(u.ids()), IdIndex.of(i.ids()), log,
        new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
    return Algorithms.trainer(settings.algorithm(), settings.modelConfig()).fit(data, TrainingOptions.silent());
  }

  private void forEachStored(long after, long upTo, java.util.function.Consumer<StoredEvent> sink) {
    long from = after;
    while (from < upTo) {
      List<StoredEvent> page = store.readAfter(from, READ_PAGE);
      if (page.isEmpty()) {
        return;
      }
      for (StoredEvent e : page) {
        if (e.offset() > upTo) {
          return;
        }
        sink.accept(e);
        from = e.offset();
      }
    }
  }

  private StreamEvent toStreamEvent(StoredEvent e) {
    int u = users.getOrAdd(e.user());
    if (u == sharedUsers.size()) {
      sharedUsers.append(e.user());
    }
    int i = items.getOrAdd(e.item());
    if (i == sharedItems.size()) {
      sharedItems.append(e.item());
    }
    return new StreamEvent(e.offset(), u, i, e.value(), e.timestamp(), e.type());
  }

  private void applyChunk(List<StoredEvent> chunk) {
    ServedModel before = served.get();
    List<StreamEvent> events = new ArrayList<>(chunk.size());
    for (StoredEvent e : chunk) {
      StreamEvent se = toStreamEvent(e);
      maybeTest(before.model(), se);
      events.add(se);
    }
    boolean inPlace = strategy.updatesInPlace();
    Lock lock = before.lock().writeLock();
    if (inPlace) {
      acquireWithoutQueueing(lock);
    }
    long lockedAt = System.nanoTime();
    try {
      for (StreamEvent se : events) {
        if (inPlace && System.nanoTime() - lockedAt > MAX_WRITE_LOCK_NANOS) {
          // readers queue behind a waiting writer, so a long hold shows up in every request's tail
          releaseWrites(before, lock);
          acquireWithoutQueueing(lock);
          lockedAt = System.nanoTime();
        }
        if (strategy.needsHistory()) {
          context.record(se);
        } else {
          context.coverIds(se.user() + 1, se.item() + 1);
        }
        try {
          strategy.onEvent(se);
        } catch (RuntimeException ex) {
          // one event the model cannot learn must not stop learning: it is logged and passed over
          lastError = "event at offset " + se.offset() + " could not be learned: " + ex.getMessage();
          LOG.warn(lastError);
        }
        appliedOffset = se.offset();
      }
    } finally {
      if (inPlace) {
        releaseWrites(before, lock);
      }
    }
    if (strategy.live() != learning) {
      goLive(before.version(), strategy.live());
      modelOffset = appliedOffset;
      dirty = true;
    } else if (inPlace) {
      modelOffset = appliedOffset;
      dirty = true;
    }
    eventsApplied += chunk.size();
    sinceRetrain += chunk.size();
    long now = System.currentTimeMillis();
    // Events replayed while catching up after a start are late by the downtime, not by the learner:
    // visibility counts from the first time the learner has caught up.
    if (modelOffset == appliedOffset && caughtUp) {
      for (StoredEvent e : chunk) {
        delays.record(now - e.receivedMillis());
      }
    }
    caughtUp |= appliedOffset >= store.lastOffset();
  }

  /**
   * Takes the write lock without queueing for it while readers hold the read lock. A fair lock
   * makes every new reader queue behind a waiting writer, so one reader descheduled while holding
   * the read lock (16 request threads on 2 cores) stalled the learner and every request behind it:
   * a soak's JFR showed 10,644 request-thread parks of 10 ms or more on that lock in one minute.
   * {@code tryLock} barges in whenever the lock is free, and polling it keeps the learner out of the
   * queue; after {@link #MAX_WRITE_WAIT_NANOS} it queues after all, so a stream of overlapping
   * readers cannot starve it.
   */
  private static void acquireWithoutQueueing(Lock lock) {
    if (lock.tryLock()) {
      return;
    }
    long deadline = System.nanoTime() + MAX_WRITE_WAIT_NANOS;
    while (System.nanoTime() < deadline) {
      LockSupport.parkNanos(WRITE_POLL_NANOS);
      if (lock.tryLock()) {
        return;
      }
    }
    lock.lock();
  }

  /** Test-then-learn on a sample: is the event's item in the served model's top-10 for the user? */
  private void maybeTest(Recommender model, StreamEvent e) {
    if (settings.prequentialSample() == 0 || random.nextDouble() >= settings.prequentialSample()
        || e.user() >= model.userCount()) {
      return;
    }
    Recommendations top = model.recommend(e.user(), 10, true, null);
    boolean hit = false;
    for (int id : top.ids()) {
      hit |= id == e.item();
    }
    synchronized (hrWindow) {
      if (hrTests == HR_WINDOW) {
        hrHits -= hrWindow[hrNext] ? 1 : 0;
      } else {
        hrTests++;
      }
      hrWindow[hrNext] = hit;
      hrHits += hit ? 1 : 0;
      hrNext = (hrNext + 1) % HR_WINDOW;
    }
    long now = System.currentTimeMillis();
    if (now - lastSeriesMillis >= 5_000 && hrTests >= 50) {
      lastSeriesMillis = now;
      synchronized (hrSeries) {
        hrSeries.add(new double[] {now, (double) hrHits / hrTests});
        if (hrSeries.size() > 2_000) {
          hrSeries.remove(0);
        }
      }
    }
  }

  private void maybeRetrain() {
    if (settings.retrainEveryEvents() > 0 && sinceRetrain >= settings.retrainEveryEvents()
        && (retraining == null || retraining.isDone())) {
      sinceRetrain = 0;
      retrain();
    }
  }

  private void adoptRetrained(Recommender model, long trainedUpTo, CompletableFuture<ModelVersion> done) {
    ServedModel previous = served.get();
    try {
      // a retrain that started before a deletion read the user's events: forget them in it too
      forgetAgain(model);
      replayOnto(model, trainedUpTo, appliedOffset);
      health.require(model, users, items, appliedOffset, "the retrained model");
      Recommender live = learnable(model);
      strategy = Strategies.create(serverStrategyName());
      strategy.resume(context, settings.strategyConfig(), live, appliedOffset);
      ModelVersion mv = registry.register(checkpointOf(model, appliedOffset, previous.version()), "retrain",
          previous.version(), metrics(), true);
      modelOffset = appliedOffset;
      goLive(mv.version(), live);
      lastCheckpointMillis = System.currentTimeMillis();
      dirty = false;
      LOG.info("retrained model is live as version {} (caught up from offset {} to {})", mv.version(), trainedUpTo,
          appliedOffset);
      done.complete(mv);
    } catch (ModelRefusedException e) {
      done.completeExceptionally(refused(e.getMessage() + "; version " + previous.version() + " stays live"));
    } catch (RuntimeException e) {
      lastError = "retrain could not go live: " + e.getMessage();
      LOG.error(lastError, e);
      done.completeExceptionally(e);
    }
  }

  /**
   * What forgetting a user did to the running model.
   *
   * @param unlearning the model's guarantee and what it recomputed ({@code null} when the learner
   *     had never seen the user)
   * @param liveVersion the version the forgotten model descends from
   * @param retrainScheduled whether a full retrain without the user's events was started
   */
  public record Forgotten(Unlearning unlearning, long liveVersion, boolean retrainScheduled) {}

  /**
   * Forgets a user in the running model, on the learner thread between batches: the model's row
   * and their influence on item rows ({@link AbstractRecommender#forgetUser}), their id replaced by
   * {@code tombstone} (so no checkpoint written later holds it), and the strategy's memory of past
   * events rebuilt from the store, which no longer holds theirs; events read before the deletion are
   * dropped and read again, so none is learned again. When the model's guarantee is approximate, a
   * full retrain is started.
   *
   * @param removedItems the item of each of the user's deleted events, with its offset
   */
  public CompletableFuture<Forgotten> forgetUser(String userId, String tombstone, long[] removedOffsets,
      String[] removedItems) {
    CompletableFuture<Forgotten> done = new CompletableFuture<>();
    commands.add(() -> {
      try {
        pageStale = true;
        int user = users == null ? -1 : users.indexOf(userId);
        ServedModel live = served.get();
        if (user < 0 || live == null) {
          rebuildStrategy(live == null ? null : live.model());
          done.complete(new Forgotten(null, live == null ? -1 : live.version(), false));
          return;
        }
        int[] learned = learnedItems(removedOffsets, removedItems, appliedOffset);
        Unlearning result;
        Lock lock = live.lock().writeLock();
        lock.lock();
        try {
          result = live.model() instanceof AbstractRecommender ar ? ar.forgetUser(user, learned) : null;
        } finally {
          lock.unlock();
        }
        users.replace(user, tombstone);
        sharedUsers.replace(user, tombstone);
        forgotten.set(user);
        rebuildStrategy(live.model());
        dirty = true;
        boolean retrain = result == null || result.needsRetrain();
        if (retrain) {
          retrain();
        }
        done.complete(new Forgotten(result, live.version(), retrain));
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  /**
   * Drops the strategy's memory of past events (replay buffers, histories) and rebuilds it from the
   * store: after a deletion or a purge, the events gone from the store must not be replayed.
   */
  public void storeLostEvents() {
    commands.add(() -> {
      pageStale = true;
      ServedModel live = served.get();
      rebuildStrategy(live == null ? null : live.model());
    });
  }

  private void rebuildStrategy(Recommender model) {
    if (model == null || context == null) {
      return;
    }
    context = new StreamContext(settings.algorithm(), settings.modelConfig(), users, items);
    context.coverIds(users.size(), items.size());
    strategy = Strategies.create(serverStrategyName());
    if (strategy.needsHistory()) {
      forEachStored(-1, appliedOffset, e -> context.record(toStreamEvent(e)));
    }
    strategy.resume(context, settings.strategyConfig(), model, appliedOffset);
  }

  /** The dense item of each removed event the model learned (offset at most {@code upTo}). */
  private int[] learnedItems(long[] offsets, String[] itemIds, long upTo) {
    int[] out = new int[offsets.length];
    int n = 0;
    for (int e = 0; e < offsets.length; e++) {
      int item = items.indexOf(itemIds[e]);
      if (offsets[e] <= upTo && item >= 0) {
        out[n++] = item;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** Forgets, in a model about to go live, every user forgotten since the learner started. */
  private void forgetAgain(Recommender model) {
    if (model instanceof AbstractRecommender ar) {
      for (int u = forgotten.nextSetBit(0); u >= 0 && u < ar.userCount(); u = forgotten.nextSetBit(u + 1)) {
        if (ar.history().items(u).length > 0) {
          ar.forgetUser(u, null);
        }
      }
    }
  }

  /** Learns the stored events in (after, upTo] onto a model that is not served yet. */
  private void replayOnto(Recommender model, long after, long upTo) {
    if (model instanceof OnlineLearner learner) {
      forEachStored(after, upTo, e -> {
        StreamEvent se = toStreamEvent(e);
        learner.learnOnline(se.user(), se.item(), se.value(), se.timestamp());
      });
    } else {
      InteractionLog log = new InteractionLog();
      forEachStored(after, upTo, e -> {
        StreamEvent se = toStreamEvent(e);
        log.add(se.user(), se.item(), se.value(), se.timestamp(), se.type());
      });
      if (log.size() > 0) {
        model.partialFit(Update.of(log, users.size(), items.size()));
      }
    }
  }

  private void maybeCheckpoint(boolean force) {
    long now = System.currentTimeMillis();
    if (!dirty || (!force && now - lastCheckpointMillis < settings.checkpointEveryMillis())) {
      return;
    }
    ServedModel s = served.get();
    long started = System.nanoTime();
    // the learner is the only writer, so reading the model here needs no lock; the learned model is
    // the one kept (with int8 serving, the float tables the served copy follows)
    ModelVersion mv = registry.register(checkpointOf(learning, modelOffset, s.version()), "checkpoint", s.version(),
        metrics(), true);
    served.set(new ServedModel(mv.version(), s.model(), s.lock()));
    registry.prune(5);
    checkpointWriteMillis = (System.nanoTime() - started) / 1_000_000;
    lastCheckpointMillis = now;
    dirty = false;
  }

  private Map<String, Double> metrics() {
    LearnerStatus st = status();
    return st.prequentialTests() == 0 ? Map.of()
        : Map.of("prequential_hr@10", st.prequentialHr10(), "prequential_tests", (double) st.prequentialTests());
  }

  private Checkpoint checkpointOf(Recommender model, long lastOffset, Long parent) {
    IdIndex u = IdIndex.of(users.ids().subList(0, Math.min(users.size(), model.userCount())));
    IdIndex i = IdIndex.of(items.ids().subList(0, Math.min(items.size(), model.itemCount())));
    Provenance p = new Provenance(settings.seed(), "event store", Math.max(0, lastOffset), 0, 0, lastOffset,
        parent == null ? null : String.valueOf(parent), metrics(), Instant.now().toString(), ENGINE);
    return new Checkpoint(model.state(), u, i, p);
  }

  private static void requirePrefix(IdIndex of, IdIndex current, String what) {
    if (of.size() > current.size()) {
      throw new IllegalArgumentException("that version knows " + what + "s this server has not seen");
    }
    for (int k = 0; k < of.size(); k++) {
      if (!of.idOf(k).equals(current.idOf(k))) {
        throw new IllegalArgumentException("that version numbers its " + what + "s differently from the running model");
      }
    }
  }

  private void runCommands() {
    Runnable command;
    while ((command = commands.poll()) != null) {
      command.run();
    }
  }

  private String serverStrategyName() {
    // hybrid on a server: online between retrains that run in the background (see retrain())
    return settings.strategy().equalsIgnoreCase("hybrid") ? "online" : settings.strategy();
  }

  /** Stops learning, writes a final checkpoint of unsaved progress, and waits for the thread. */
  @Override
  public void close() {
    running = false;
    retrainer.shutdownNow();
    try {
      thread.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
