package io.perennial.eval;

import io.perennial.data.InteractionLog;
import io.perennial.data.UserSequences;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Builds the train/test partitions of every {@link Protocol} except {@code folds}. */
public final class Splitters {

  private Splitters() {}

  /** A random hold-out: each event trains with probability close to {@code trainFraction}. */
  public static Split random(InteractionLog log, double trainFraction, long seed) {
    checkFraction(trainFraction);
    int[] order = shuffled(log.size(), seed);
    int cut = (int) Math.round(trainFraction * log.size());
    int[] train = Arrays.copyOfRange(order, 0, cut);
    int[] test = Arrays.copyOfRange(order, cut, order.length);
    Arrays.sort(train);
    Arrays.sort(test);
    return new Split("random", log.select(train), log.select(test));
  }

  /** {@code k} folds of a seeded shuffle; fold f tests on every k-th shuffled event. */
  public static List<Split> kfold(InteractionLog log, int k, long seed) {
    if (k < 2) {
      throw new IllegalArgumentException("kfold needs at least 2 folds, got " + k);
    }
    int[] order = shuffled(log.size(), seed);
    int[] foldOf = new int[log.size()];
    for (int p = 0; p < order.length; p++) {
      foldOf[order[p]] = p % k;
    }
    List<Split> splits = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      int fold = f;
      int[] train = java.util.stream.IntStream.range(0, log.size()).filter(i -> foldOf[i] != fold).toArray();
      int[] test = java.util.stream.IntStream.range(0, log.size()).filter(i -> foldOf[i] == fold).toArray();
      splits.add(new Split("fold " + (f + 1) + "/" + k, log.select(train), log.select(test)));
    }
    return splits;
  }

  /** The earliest {@code trainFraction} of events (by timestamp, ties in log order) train. */
  public static Split temporal(InteractionLog log, double trainFraction) {
    checkFraction(trainFraction);
    int[] byTime = log.indicesByTime();
    int cut = (int) Math.round(trainFraction * log.size());
    int[] train = Arrays.copyOfRange(byTime, 0, cut);
    int[] test = Arrays.copyOfRange(byTime, cut, byTime.length);
    return new Split("temporal", log.select(train), log.select(test));
  }

  /**
   * Each user's earliest {@code ceil(trainFraction · n_u)} events train, the rest test (a user with
   * one event only trains).
   */
  public static Split userTemporal(InteractionLog log, double trainFraction) {
    checkFraction(trainFraction);
    List<int[]> perUser = eventsByUserInTimeOrder(log);
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int[] events : perUser) {
      int cut = (int) Math.ceil(trainFraction * events.length - 1e-9);
      for (int n = 0; n < events.length; n++) {
        (n < cut ? train : test).add(events[n]);
      }
    }
    return new Split("user-temporal", log.select(sortedArray(train)), log.select(sortedArray(test)));
  }

  /** Each user's latest event tests; users with a single event only train. */
  public static Split leaveLastOut(InteractionLog log) {
    List<int[]> perUser = eventsByUserInTimeOrder(log);
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int[] events : perUser) {
      for (int n = 0; n < events.length; n++) {
        (n == events.length - 1 && events.length > 1 ? test : train).add(events[n]);
      }
    }
    return new Split("loo", log.select(sortedArray(train)), log.select(sortedArray(test)));
  }

  /** Fewest events a user needs to give a test and a validation item to {@link #leaveOneOut}. */
  public static final int LOO_MIN_EVENTS = 3;

  /**
   * Leave-one-out as in the SASRec and NCF papers: in each user's {@linkplain UserSequences time
   * order} the last event tests, the second-to-last validates, the rest train. A user with fewer
   * than {@value #LOO_MIN_EVENTS} events only trains (held-out items need a history to be predicted
   * from; this is also what SASRec's data partition does). Each part keeps log order.
   */
  public static Split leaveOneOut(InteractionLog log) {
    UserSequences sequences = UserSequences.of(log);
    // 0 train, 1 validation, 2 test, by event index
    byte[] part = new byte[log.size()];
    int tests = 0;
    for (int u = 0; u < sequences.users(); u++) {
      int n = sequences.length(u);
      if (n >= LOO_MIN_EVENTS) {
        part[sequences.event(u, n - 1)] = 2;
        part[sequences.event(u, n - 2)] = 1;
        tests++;
      }
    }
    int[][] indices = {new int[log.size() - 2 * tests], new int[tests], new int[tests]};
    int[] fill = new int[3];
    for (int e = 0; e < log.size(); e++) {
      indices[part[e]][fill[part[e]]++] = e;
    }
    return new Split("loo", log.select(indices[0]), log.select(indices[2]), log.select(indices[1]));
  }

  /**
   * Cold-start items: a seeded {@code coldFraction} of the items that have events (at least one
   * item, and at least one stays warm) is cold. Every event of a cold item is a test event, the
   * others train; test events of users without a training event are dropped, since nothing is
   * known to predict them from. Test users are ranked over the cold items only ({@link
   * Split#candidateItems()}), and relevance is their events with them.
   */
  public static Split coldItems(InteractionLog log, double coldFraction, long seed) {
    checkColdFraction(coldFraction);
    boolean[] rated = new boolean[log.itemBound()];
    for (int e = 0; e < log.size(); e++) {
      rated[log.item(e)] = true;
    }
    int[] items = java.util.stream.IntStream.range(0, rated.length).filter(i -> rated[i]).toArray();
    if (items.length < 2) {
      throw new IllegalArgumentException("cold-items needs at least 2 items with events, got " + items.length);
    }
    int[] order = shuffled(items.length, seed);
    int cold = Math.max(1, Math.min(items.length - 1, (int) Math.round(coldFraction * items.length)));
    boolean[] isCold = new boolean[rated.length];
    int[] coldItems = new int[cold];
    for (int n = 0; n < cold; n++) {
      coldItems[n] = items[order[n]];
      isCold[coldItems[n]] = true;
    }
    boolean[] hasTrain = new boolean[log.userBound()];
    for (int e = 0; e < log.size(); e++) {
      if (!isCold[log.item(e)]) {
        hasTrain[log.user(e)] = true;
      }
    }
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int e = 0; e < log.size(); e++) {
      if (!isCold[log.item(e)]) {
        train.add(e);
      } else if (hasTrain[log.user(e)]) {
        test.add(e);
      }
    }
    return new Split("cold-items", log.select(sortedArray(train)), log.select(sortedArray(test)),
        new InteractionLog(1), coldItems);
  }

  /**
   * Cold-start users: a seeded {@code coldFraction} of the users with more than {@code maxTrain}
   * events (at least one such user) is cold; each keeps only their earliest {@code maxTrain} events
   * (time order) in training and is tested on the rest. Every other user only trains. With {@code
   * maxTrain} 0 the cold users are unknown to the model and get its fallback.
   */
  public static Split coldUsers(InteractionLog log, int maxTrain, double coldFraction, long seed) {
    checkColdFraction(coldFraction);
    if (maxTrain < 0) {
      throw new IllegalArgumentException("cold-users: the most training events per cold user must be >= 0, got " + maxTrain);
    }
    List<int[]> perUser = eventsByUserInTimeOrder(log);
    int[] eligible = java.util.stream.IntStream.range(0, perUser.size())
        .filter(u -> perUser.get(u).length > maxTrain).toArray();
    if (eligible.length == 0) {
      throw new IllegalArgumentException("cold-users: no user has more than " + maxTrain + " events to test on");
    }
    int[] order = shuffled(eligible.length, seed);
    int cold = Math.max(1, (int) Math.round(coldFraction * eligible.length));
    boolean[] isCold = new boolean[perUser.size()];
    for (int n = 0; n < cold; n++) {
      isCold[eligible[order[n]]] = true;
    }
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int u = 0; u < perUser.size(); u++) {
      int[] events = perUser.get(u);
      for (int n = 0; n < events.length; n++) {
        (isCold[u] && n >= maxTrain ? test : train).add(events[n]);
      }
    }
    return new Split("cold-users", log.select(sortedArray(train)), log.select(sortedArray(test)));
  }

  private static void checkColdFraction(double f) {
    if (!(f > 0 && f < 1)) {
      throw new IllegalArgumentException("cold fraction must be in (0, 1), got " + f);
    }
  }

  private static List<int[]> eventsByUserInTimeOrder(InteractionLog log) {
    int users = log.userBound();
    int[] counts = new int[users];
    int[] byTime = log.indicesByTime();
    for (int e : byTime) {
      counts[log.user(e)]++;
    }
    int[][] lists = new int[users][];
    for (int u = 0; u < users; u++) {
      lists[u] = new int[counts[u]];
    }
    int[] fill = new int[users];
    for (int e : byTime) {
      int u = log.user(e);
      lists[u][fill[u]++] = e;
    }
    return Arrays.asList(lists);
  }

  private static int[] sortedArray(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  /**
   * Keeps a seeded fraction of a split's training interactions; test, validation and candidates are
   * unchanged, so a learning curve (e.g. 5 %, 10 % … 100 % of the training data) is scored on the
   * same test set at every point. The kept events stay in their original order (temporal models
   * still see time order), and the same seed keeps a nested subset: the 10 % sample contains the
   * 5 % one, so points of a curve differ only by added data.
   *
   * @param fraction in (0, 1]; 1 returns the split as it is
   * @throws IllegalArgumentException when the fraction is outside (0, 1]
   */
  public static Split sampleTrain(Split split, double fraction, long seed) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("train sample must be in (0, 1], got " + fraction);
    }
    if (fraction == 1) {
      return split;
    }
    InteractionLog train = split.train();
    int[] order = shuffled(train.size(), seed);
    int keep = (int) Math.round(fraction * train.size());
    int[] kept = Arrays.copyOfRange(order, 0, keep);
    Arrays.sort(kept);
    return new Split(split.name(), train.select(kept), split.test(), split.validation(),
        split.candidateItems());
  }

  private static int[] shuffled(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private static void checkFraction(double f) {
    if (!(f > 0 && f < 1)) {
      throw new IllegalArgumentException("train fraction must be in (0, 1), got " + f);
    }
  }
}
