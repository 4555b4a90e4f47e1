package io.perennial.data;

import java.util.Arrays;

/**
 * Summary statistics of a dataset, as printed by {@code perennial datasets info}.
 *
 * @param users distinct users with at least one interaction
 * @param items distinct items with at least one interaction
 * @param interactions events
 * @param density interactions / (users × items)
 * @param firstTimestamp earliest event, epoch seconds
 * @param lastTimestamp latest event, epoch seconds
 * @param itemGini Gini coefficient of item popularity (0 = uniform, towards 1 = a few items take all)
 * @param userGini Gini coefficient of user activity
 * @param meanValue mean interaction value
 */
public record DatasetStats(
    int users,
    int items,
    long interactions,
    double density,
    long firstTimestamp,
    long lastTimestamp,
    double itemGini,
    double userGini,
    double meanValue) {

  public static DatasetStats of(Dataset dataset) {
    InteractionLog log = dataset.log();
    long[] itemCounts = new long[dataset.itemCount()];
    long[] userCounts = new long[dataset.userCount()];
    double sum = 0;
    for (int i = 0; i < log.size(); i++) {
      itemCounts[log.item(i)]++;
      userCounts[log.user(i)]++;
      sum += log.value(i);
    }
    int users = (int) Arrays.stream(userCounts).filter(c -> c > 0).count();
    int items = (int) Arrays.stream(itemCounts).filter(c -> c > 0).count();
    long n = log.size();
    double density = users == 0 || items == 0 ? 0 : n / ((double) users * items);
    return new DatasetStats(
        users,
        items,
        n,
        density,
        n == 0 ? 0 : log.minTimestamp(),
        n == 0 ? 0 : log.maxTimestamp(),
        gini(itemCounts),
        gini(userCounts),
        n == 0 ? 0 : sum / n);
  }

  /**
   * Gini coefficient over the non-zero counts: {@code G = Σ (2i - n - 1) x_i / (n Σ x)} with {@code
   * x} sorted ascending and {@code i} 1-based.
   */
  public static double gini(long[] counts) {
    long[] x = Arrays.stream(counts).filter(c -> c > 0).sorted().toArray();
    int n = x.length;
    if (n == 0) {
      return 0;
    }
    double weighted = 0;
    double total = 0;
    for (int i = 0; i < n; i++) {
      weighted += (2.0 * (i + 1) - n - 1) * x[i];
      total += x[i];
    }
    return weighted / (n * total);
  }
}
