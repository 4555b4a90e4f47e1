package io.perennial.continual;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import java.util.SplittableRandom;

/** Stream scenarios built on top of real or generated data, for the simulate report and tests. */
public final class Scenarios {

  private Scenarios() {}

  /**
   * A burst of new items: at {@code fraction} of the stream (by time), {@code items} brand-new items
   * appear and the next {@code events} events of real users (chosen like the stream's own events,
   * so active users weigh more) go to them, spread over the following tenth of the stream's time.
   * Popularity among the new items is skewed (item k drawn with weight 1/(k+1)).
   */
  public static Dataset newItemBurst(Dataset data, double fraction, int items, int events, long seed) {
    if (!(fraction >= 0 && fraction < 1) || items < 1 || events < 1) {
      throw new IllegalArgumentException("burst fraction must be in [0, 1), items and events >= 1");
    }
    InteractionLog log = data.log();
    int[] byTime = log.indicesByTime();
    int at = (int) (fraction * byTime.length);
    long start = log.timestamp(byTime[Math.min(at, byTime.length - 1)]);
    long span = Math.max(1, (log.maxTimestamp() - log.minTimestamp()) / 10);
    SplittableRandom random = new SplittableRandom(seed);
    IdIndex users = data.users().copy();
    IdIndex catalogue = data.items().copy();
    int[] fresh = new int[items];
    for (int k = 0; k < items; k++) {
      fresh[k] = catalogue.getOrAdd("burst-" + k);
    }
    double[] cumulative = new double[items];
    double total = 0;
    for (int k = 0; k < items; k++) {
      total += 1.0 / (k + 1);
      cumulative[k] = total;
    }
    InteractionLog out = log.copy();
    for (int n = 0; n < events; n++) {
      int user = log.user(byTime[random.nextInt(Math.max(1, at))]);
      double r = random.nextDouble() * total;
      int k = 0;
      while (k < items - 1 && cumulative[k] < r) {
        k++;
      }
      out.add(user, fresh[k], 1f, start + (long) (random.nextDouble() * span), InteractionType.VIEW);
    }
    return new Dataset(users, catalogue, out, data.report());
  }

  /**
   * Inserts a poisoned slice: starting at {@code fraction} of the stream (by time), {@code events}
   * events in which a block of fake users (ids {@code fake-…}) hammer one unpopular item. The slice
   * shares the timestamp of the event it is inserted before, so it sits at that point of the stream
   * order.
   */
  public static Dataset poison(Dataset data, double fraction, int events, long seed) {
    if (!(fraction >= 0 && fraction < 1) || events < 1) {
      throw new IllegalArgumentException("poison fraction must be in [0, 1) and events >= 1");
    }
    InteractionLog log = data.log();
    int[] byTime = log.indicesByTime();
    int at = (int) (fraction * byTime.length);
    long when = log.timestamp(byTime[Math.min(at, byTime.length - 1)]);
    // the target: an item with few interactions, so the attack is what makes it "popular"
    float[] counts = new float[data.itemCount()];
    for (int e = 0; e < log.size(); e++) {
      counts[log.item(e)]++;
    }
    int target = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] >= 1 && counts[i] < counts[target] || counts[target] == 0) {
        target = i;
      }
    }
    SplittableRandom random = new SplittableRandom(seed);
    IdIndex users = data.users().copy();
    IdIndex items = data.items().copy();
    InteractionLog out = log.copy();
    int fakeUsers = Math.max(10, events / 20);
    int[] fake = new int[fakeUsers];
    for (int f = 0; f < fakeUsers; f++) {
      fake[f] = users.getOrAdd("fake-" + f);
    }
    for (int n = 0; n < events; n++) {
      int u = fake[random.nextInt(fakeUsers)];
      // mostly the target, sometimes a popular item so the fake users look plausible
      int item = random.nextInt(4) == 0 ? log.item(byTime[random.nextInt(byTime.length)]) : target;
      out.add(u, item, 1f, when, InteractionType.CLICK);
    }
    return new Dataset(users, items, out, data.report());
  }
}
