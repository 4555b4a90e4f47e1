package io.perennial.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A latent-factor world that emits a stream of interactions, deterministic from its seed.
 *
 * <p>Each event: pick a user (power-law activity, with a short "recently active" memory so that
 * sessions recur), draw {@code candidatesPerEvent} items from the Zipf popularity distribution (an
 * item's popularity rises after its birth and fades over its lifetime), then let the user's taste
 * choose among them (Gumbel-max softmax over {@code user · item / temperature}). Tastes random-walk
 * a little at every event, jump at {@code shiftAt}, and new users and items keep arriving.
 *
 * <p>Memory grows only with the number of users and items (capped by the config), never with the
 * number of events, so 100M events stream in constant memory.
 */
public final class SyntheticGenerator implements Iterator<Interaction> {

  private static final int RECENT = 64;

  private final SyntheticConfig config;
  private final SplittableRandom random;
  private final int k;
  private float[] userTaste;
  private float[] itemTrait;
  private long[] itemBirth;
  private long[] itemLifetime;
  private int userCount;
  private int itemCount;
  private final int[] recentUsers = new int[RECENT];
  private final int[] recentItems = new int[RECENT];
  private int recentItemFill;
  private long produced;
  private final long shiftEvent;
  /** The candidates of the current event and their Gumbel noise, drawn before any is scored. */
  private final int[] candidateItems;
  private final double[] candidateNoise;
  /** {@code user · item} of the item {@link #pickItem} chose last (the event's affinity). */
  private float chosenAffinity;
  /** No item ever fades ({@code itemLifetimeEvents == 0}): every envelope is 1, nothing to look up. */
  private final boolean ageless;
  /** {@link #zipfRank}'s constants for {@link #zipfCatalogue} items, recomputed when the catalogue grows. */
  private int zipfCatalogue = -1;
  private double zipfScale;
  private double zipfPower;
  /** A sink for the early loads that start each candidate's row on its way from memory. */
  private float prefetched;
  /** One past the last event this generator produces (a shard ends before the world does). */
  private final long end;

  /** Worlds of at least this many events are generated in parallel shards (when they can be). */
  static final long PARALLEL_FROM = 2_000_000;
  /** Shards of a parallel generation: fixed, so the events do not depend on the core count. */
  static final int SHARDS = 16;

  public SyntheticGenerator(SyntheticConfig config) {
    this.config = config;
    this.random = new SplittableRandom(config.seed());
    this.k = config.factors();
    this.candidateItems = new int[config.candidatesPerEvent()];
    this.candidateNoise = new double[config.candidatesPerEvent()];
    this.ageless = config.itemLifetimeEvents() == 0;
    this.userCount = config.users();
    this.itemCount = config.items();
    this.userTaste = new float[Math.max(16, userCount) * k];
    this.itemTrait = new float[Math.max(16, itemCount) * k];
    this.itemBirth = new long[Math.max(16, itemCount)];
    this.itemLifetime = new long[Math.max(16, itemCount)];
    for (int u = 0; u < userCount; u++) {
      randomVector(userTaste, u * k);
    }
    for (int i = 0; i < itemCount; i++) {
      randomVector(itemTrait, i * k);
      // Initial items are at a random point of their life so the world starts in a steady state.
      itemLifetime[i] = drawLifetime();
      itemBirth[i] = itemLifetime[i] == 0 ? 0 : -(long) (random.nextDouble() * itemLifetime[i]);
    }
    for (int r = 0; r < RECENT; r++) {
      recentUsers[r] = random.nextInt(userCount);
    }
    this.shiftEvent = config.shiftAt() < 0 ? -1 : (long) (config.shiftAt() * config.events());
    this.end = config.events();
  }

  /**
   * Shard {@code shard} of {@link #SHARDS} of {@code world}'s events: the same initial users and
   * items, its own random stream, and its own copy of the user tastes to drift (from the initial
   * ones), producing the events of its slice of the timeline.
   */
  private SyntheticGenerator(SyntheticGenerator world, int shard) {
    this.config = world.config;
    this.random = new SplittableRandom(config.seed() ^ (0x9E3779B97F4A7C15L * (shard + 1)));
    this.k = world.k;
    this.candidateItems = new int[config.candidatesPerEvent()];
    this.candidateNoise = new double[config.candidatesPerEvent()];
    this.ageless = world.ageless;
    this.userCount = world.userCount;
    this.itemCount = world.itemCount;
    this.userTaste = config.tasteDrift() == 0 ? world.userTaste : world.userTaste.clone();
    // read-only without arrivals
    this.itemTrait = world.itemTrait;
    this.itemBirth = world.itemBirth;
    this.itemLifetime = world.itemLifetime;
    for (int r = 0; r < RECENT; r++) {
      recentUsers[r] = random.nextInt(userCount);
    }
    this.shiftEvent = -1;
    this.produced = shardStart(config.events(), shard);
    this.end = shardStart(config.events(), shard + 1);
  }

  private static long shardStart(long events, int shard) {
    return events * shard / SHARDS;
  }

  /**
   * Whether the world can be generated in shards: big enough to be worth it, and nothing in it
   * depends on the order across shards (no arrivals of users or items, no taste shift).
   */
  static boolean shardable(SyntheticConfig config) {
    return config.events() >= PARALLEL_FROM && (config.newUserRate() == 0 || config.users() >= config.maxUsers())
        && (config.newItemRate() == 0 || config.items() >= config.maxItems()) && config.shiftAt() < 0;
  }

  /** Users created so far (the dense user ids are {@code 0..userCount-1}). */
  public int userCount() {
    return userCount;
  }

  public int itemCount() {
    return itemCount;
  }

  /** External id of a dense user index: {@code "u" + index}. */
  public static String userId(int user) {
    return "u" + user;
  }

  /** External id of a dense item index: {@code "i" + index}. */
  public static String itemId(int item) {
    return "i" + item;
  }

  @Override
  public boolean hasNext() {
    return produced < end;
  }

  @Override
  public Interaction next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    if (produced == shiftEvent) {
      shiftTastes();
    }
    long now = produced;
    int user = pickUser();
    int item = pickItem(user, now);
    float affinity = chosenAffinity;
    drift(user);
    long timestamp = config.startTimestamp() + now * config.secondsPerEvent();
    produced++;
    if (config.ratings()) {
      double stars = 3.5 + 1.5 * Math.tanh(2 * affinity) + random.nextGaussian() * 0.5;
      float rating = (float) (Math.round(Math.max(0.5, Math.min(5.0, stars)) * 2) / 2.0);
      return new Interaction(user, item, rating, timestamp, InteractionType.RATING);
    }
    double u = random.nextDouble();
    InteractionType type =
        u < 0.02 * (1 + Math.max(0, affinity)) ? InteractionType.PURCHASE
            : u < 0.2 ? InteractionType.CLICK : InteractionType.VIEW;
    return new Interaction(user, item, 1f, timestamp, type);
  }

  /** Emits all remaining events to {@code consumer}. */
  public void forEachRemaining(Consumer<? super Interaction> consumer) {
    while (hasNext()) {
      consumer.accept(next());
    }
  }

  /** Generates the whole stream into an in-memory dataset with ids {@code u…} and {@code i…}. */
  public static Dataset generate(SyntheticConfig config) {
    return generate(config, Runtime.getRuntime().availableProcessors());
  }

  /** {@link #generate(SyntheticConfig)} on at most {@code threads} threads (the events do not depend on it). */
  static Dataset generate(SyntheticConfig config, int threads) {
    SyntheticGenerator generator = new SyntheticGenerator(config);
    InteractionLog log;
    if (shardable(config) && config.events() <= Integer.MAX_VALUE - 8) {
      log = generateShards(generator, threads);
    } else {
      log = new InteractionLog((int) Math.min(Integer.MAX_VALUE - 8, config.events()));
      generator.forEachRemaining(log::add);
    }
    IdIndex users = new IdIndex(generator.userCount());
    for (int u = 0; u < generator.userCount(); u++) {
      users.getOrAdd(userId(u));
    }
    IdIndex items = new IdIndex(generator.itemCount());
    for (int i = 0; i < generator.itemCount(); i++) {
      items.getOrAdd(itemId(i));
    }
    ReadReport report =
        new ReadReport(log.size(), log.size(), java.util.Map.of(), 0, 0, java.util.List.of());
    return new Dataset(users, items, log, report);
  }

  /**
   * The events of {@link #SHARDS} shards generated on the machine's cores, each written in place
   * into its slice of one log: the same events for a seed whatever the core count.
   */
  private static InteractionLog generateShards(SyntheticGenerator world, int threads) {
    InteractionLog log = InteractionLog.ofSize((int) world.config.events());
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(Math.max(1, Math.min(SHARDS, threads)));
    try {
      pool.submit(() -> java.util.stream.IntStream.range(0, SHARDS).parallel().forEach(shard -> {
        SyntheticGenerator g = new SyntheticGenerator(world, shard);
        for (int at = (int) g.produced; g.hasNext(); at++) {
          Interaction e = g.next();
          log.set(at, e.user(), e.item(), e.value(), e.timestamp(), e.type());
        }
      })).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("generation interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdown();
    }
    return log;
  }

  /** Streams the remaining events to a CSV file {@code user,item,value,timestamp,type}. */
  public void writeCsv(Path file) {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("user,item,value,timestamp,type\n");
      StringBuilder line = new StringBuilder(64);
      while (hasNext()) {
        Interaction e = next();
        line.setLength(0);
        line.append('u').append(e.user()).append(",i").append(e.item()).append(',')
            .append(e.value()).append(',').append(e.timestamp()).append(',')
            .append(e.type().wireName()).append('\n');
        out.append(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Streams the remaining events to a JSON Lines file. */
  public void writeJsonLines(Path file) {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        JsonGenerator json = new JsonFactory().createGenerator(out)) {
      json.setRootValueSeparator(null);
      while (hasNext()) {
        Interaction e = next();
        json.writeStartObject();
        json.writeStringField("user", userId(e.user()));
        json.writeStringField("item", itemId(e.item()));
        json.writeNumberField("value", e.value());
        json.writeNumberField("timestamp", e.timestamp());
        json.writeStringField("type", e.type().wireName());
        json.writeEndObject();
        json.flush();
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private int pickUser() {
    if (userCount < config.maxUsers() && random.nextDouble() < config.newUserRate()) {
      int u = addUser();
      recentUsers[random.nextInt(RECENT)] = u;
      return u;
    }
    if (random.nextDouble() < 0.3) {
      return recentUsers[random.nextInt(RECENT)];
    }
    // Power-law activity: lower indices are more active; exponent a gives P(rank<x) = (x/N)^(1/a).
    int u = (int) (userCount * Math.pow(random.nextDouble(), config.userActivityExponent()));
    u = Math.min(u, userCount - 1);
    recentUsers[random.nextInt(RECENT)] = u;
    return u;
  }

  private int pickItem(int user, long now) {
    if (itemCount < config.maxItems() && random.nextDouble() < config.newItemRate()) {
      int item = addItem(now);
      recentItems[recentItemFill++ % RECENT] = item;
      chosenAffinity = dot(user, item);
      return item;
    }
    // Every random number first, in the order the stream has always drawn them (item, then its
    // noise), then the scores: the rows of the candidates are then fetched from memory together
    // instead of one after another between the logarithms (a 1M-item table does not fit the cache).
    int candidates = candidateItems.length;
    // a row of k floats behind a 16-byte array header straddles cache lines: touch both ends
    float touched = userTaste[user * k] + userTaste[user * k + k - 1];
    for (int c = 0; c < candidates; c++) {
      int item = drawPopularItem(now);
      candidateItems[c] = item;
      touched += itemTrait[item * k] + itemTrait[item * k + k - 1];
      // Gumbel-max: argmax of score + Gumbel noise samples from the softmax over candidates.
      candidateNoise[c] = -Math.log(-Math.log(random.nextDouble() + 1e-300) + 1e-300);
    }
    prefetched += touched;
    int best = -1;
    float bestDot = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    double temperature = config.tasteTemperature();
    for (int c = 0; c < candidates; c++) {
      float affinity = dot(user, candidateItems[c]);
      double score = affinity / temperature + candidateNoise[c];
      if (score > bestScore) {
        bestScore = score;
        best = candidateItems[c];
        bestDot = affinity;
      }
    }
    chosenAffinity = bestDot;
    return best;
  }

  private int drawPopularItem(long now) {
    // Fresh items get a share of attention while they are new, so arrivals can become popular.
    if (recentItemFill > 0 && random.nextDouble() < 0.05) {
      return recentItems[random.nextInt(Math.min(RECENT, recentItemFill))];
    }
    for (int attempt = 0; attempt < 32; attempt++) {
      int item = zipfRank(itemCount);
      // ageless: the draw is still made (the stream stays the same), but it always accepts
      if (random.nextDouble() < (ageless ? 1 : envelope(item, now))) {
        return item;
      }
    }
    return random.nextInt(itemCount);
  }

  /** Samples a rank in {@code [0, n)} with P(r) ∝ (r+1)^-s by inverting a continuous power law. */
  private int zipfRank(int n) {
    double s = config.itemZipfExponent();
    boolean harmonic = Math.abs(s - 1) < 1e-9;
    if (n != zipfCatalogue) {
      zipfCatalogue = n;
      zipfScale = harmonic ? Math.log(n + 1.0) : Math.pow(n + 1.0, 1 - s) - 1;
      zipfPower = harmonic ? 0 : 1 / (1 - s);
    }
    double u = random.nextDouble();
    double x = harmonic ? Math.exp(u * zipfScale) : Math.pow(zipfScale * u + 1, zipfPower);
    return Math.min(n - 1, Math.max(0, (int) x - 1));
  }

  /** Popularity multiplier in [0, 1]: rises over the first tenth of the lifetime, then fades. */
  private double envelope(int item, long now) {
    long life = itemLifetime[item];
    if (life == 0) {
      return 1;
    }
    double age = now - itemBirth[item];
    if (age < 0) {
      return 0;
    }
    double rise = Math.min(1, age / (0.1 * life));
    return rise * Math.exp(-age / life);
  }

  private long drawLifetime() {
    long mean = config.itemLifetimeEvents();
    if (mean == 0) {
      return 0;
    }
    return 1 + (long) (-Math.log(1 - random.nextDouble()) * mean);
  }

  private int addUser() {
    int u = userCount++;
    if ((long) userCount * k > userTaste.length) {
      userTaste = Arrays.copyOf(userTaste, (int) Math.min(Integer.MAX_VALUE - 8, userTaste.length * 2L));
    }
    randomVector(userTaste, u * k);
    return u;
  }

  private int addItem(long now) {
    int i = itemCount++;
    if (itemCount > itemBirth.length) {
      int c = itemBirth.length * 2;
      itemTrait = Arrays.copyOf(itemTrait, c * k);
      itemBirth = Arrays.copyOf(itemBirth, c);
      itemLifetime = Arrays.copyOf(itemLifetime, c);
    }
    randomVector(itemTrait, i * k);
    itemBirth[i] = now;
    itemLifetime[i] = drawLifetime();
    return i;
  }

  private void randomVector(float[] table, int offset) {
    double scale = 1 / Math.sqrt(k);
    for (int d = 0; d < k; d++) {
      table[offset + d] = (float) (random.nextGaussian() * scale * 2);
    }
  }

  private float dot(int user, int item) {
    float s = 0;
    int uo = user * k;
    int io = item * k;
    for (int d = 0; d < k; d++) {
      s += userTaste[uo + d] * itemTrait[io + d];
    }
    return s;
  }

  private void drift(int user) {
    double step = config.tasteDrift();
    if (step == 0) {
      return;
    }
    int o = user * k;
    double keep = 1 - step * step;
    double root = Math.sqrt(k);
    for (int d = 0; d < k; d++) {
      // Mean-reverting walk (Ornstein-Uhlenbeck) so tastes change without their norm exploding.
      userTaste[o + d] = (float) (userTaste[o + d] * keep + random.nextGaussian() * step * 2 / root);
    }
  }

  private void shiftTastes() {
    for (int u = 0; u < userCount; u++) {
      randomVector(userTaste, u * k);
    }
  }
}
