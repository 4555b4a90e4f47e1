package io.perennial.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects rows from a reader: maps external ids through the {@link IdIndex}es, applies the implicit
 * conversion and, at {@link #build()}, the duplicate policy. Invalid rows go through {@link
 * #reject}, which throws or counts according to the {@link ErrorPolicy}.
 */
public final class DatasetBuilder {

  private static final int MAX_EXAMPLES = 10;

  private final IdIndex users;
  private final IdIndex items;
  private final ReadOptions options;
  private final InteractionLog log = new InteractionLog();
  private final Map<String, Long> invalid = new LinkedHashMap<>();
  private final List<String> examples = new ArrayList<>();
  private long rows;
  private long belowThreshold;
  private long fileOrderEvents;
  private long timedEvents;
  private long sequenceClock;
  private String header;

  public DatasetBuilder(ReadOptions options) {
    this(new IdIndex(), new IdIndex(), options);
  }

  /** A builder sharing id indexes with other datasets (e.g. train and test fold files). */
  public DatasetBuilder(IdIndex users, IdIndex items, ReadOptions options) {
    this.users = users;
    this.items = items;
    this.options = options;
  }

  public ReadOptions options() {
    return options;
  }

  /** Counts one data row; call once per row, valid or not. */
  public void countRow() {
    rows++;
  }

  /** Adds a valid row. */
  public void accept(String user, String item, float value, long timestamp, InteractionType type) {
    if (add(user, item, value, timestamp, type)) {
      timedEvents++;
    }
  }

  /**
   * Adds a valid row that has no timestamp: its row number (counted by {@link #countRow}) stands in,
   * and the {@link ReadReport} says so.
   */
  public void acceptInFileOrder(String user, String item, float value, InteractionType type) {
    if (add(user, item, value, rows, type)) {
      fileOrderEvents++;
    }
  }

  /**
   * Adds an interaction of a sequence file (no timestamps, possibly several on one row): its time is
   * the number of sequence interactions read before it, so later in the file is later in time even
   * within one row, and the {@link ReadReport} counts it as in file order.
   */
  void acceptInSequence(String user, String item, float value, InteractionType type) {
    if (add(user, item, value, sequenceClock++, type)) {
      fileOrderEvents++;
    }
  }

  private boolean add(String user, String item, float value, long timestamp, InteractionType type) {
    if (options.implicit()) {
      if (value < options.implicitThreshold()) {
        belowThreshold++;
        return false;
      }
      value = options.implicitWeight();
    }
    log.add(users.getOrAdd(user), items.getOrAdd(item), value, timestamp, type);
    return true;
  }

  /** Records how a reader took the first line of its file, for the {@link ReadReport}. */
  public void noteHeader(String decision) {
    header = decision;
  }

  /**
   * Reports an invalid row: throws under {@link ErrorPolicy#FAIL}, otherwise counts it by {@code
   * field: problem} and keeps the first few messages.
   */
  public void reject(DataFormatException error) {
    if (options.errors() == ErrorPolicy.FAIL) {
      throw error;
    }
    String reason = (error.field() == null ? "" : error.field() + ": ") + reasonKey(error.problem());
    invalid.merge(reason, 1L, Long::sum);
    if (examples.size() < MAX_EXAMPLES) {
      examples.add(error.getMessage());
    }
  }

  private static String reasonKey(String problem) {
    // Group "not a number: 'x'" and "not a number: 'y'" (or "... (U+000A at character 3)") under one reason.
    int end = problem.length();
    for (String mark : new String[] {":", " (", " '"}) {
      int at = problem.indexOf(mark);
      if (at > 0 && at < end) {
        end = at;
      }
    }
    return problem.substring(0, end);
  }

  /** Applies the duplicate policy and returns the dataset. */
  public Dataset build() {
    InteractionLog result = log;
    long merged = 0;
    if (options.duplicates() != DuplicatePolicy.KEEP_ALL && log.size() > 0) {
      result = deduplicate(log, options.duplicates(), users.size());
      merged = log.size() - result.size();
    }
    long fileOrder = timedEvents == 0 && fileOrderEvents > 0 ? result.size() : fileOrderEvents;
    ReadReport report =
        new ReadReport(rows, result.size(), invalid, belowThreshold, merged, examples, header, fileOrder);
    return new Dataset(users, items, result, report);
  }

  /**
   * Keeps one event per (user, item). Groups events by user with a counting sort, then sorts each
   * user's (item, position) pairs, so memory stays at a few ints per event even for 25M rows.
   */
  static InteractionLog deduplicate(InteractionLog log, DuplicatePolicy policy, int userCount) {
    int n = log.size();
    int[] start = new int[userCount + 1];
    for (int i = 0; i < n; i++) {
      start[log.user(i) + 1]++;
    }
    for (int u = 0; u < userCount; u++) {
      start[u + 1] += start[u];
    }
    int[] fill = Arrays.copyOf(start, userCount);
    int[] byUser = new int[n];
    for (int i = 0; i < n; i++) {
      byUser[fill[log.user(i)]++] = i;
    }
    boolean[] keep = new boolean[n];
    float[] summed = policy == DuplicatePolicy.SUM ? new float[n] : null;
    long[] scratch = new long[16];
    for (int u = 0; u < userCount; u++) {
      int len = start[u + 1] - start[u];
      if (len == 0) {
        continue;
      }
      if (scratch.length < len) {
        scratch = new long[Math.max(len, scratch.length * 2)];
      }
      for (int k = 0; k < len; k++) {
        int i = byUser[start[u] + k];
        scratch[k] = ((long) log.item(i) << 32) | i;
      }
      Arrays.sort(scratch, 0, len);
      int k = 0;
      while (k < len) {
        int item = (int) (scratch[k] >>> 32);
        int end = k;
        float sum = 0;
        while (end < len && (int) (scratch[end] >>> 32) == item) {
          sum += log.value((int) scratch[end]);
          end++;
        }
        int first = (int) scratch[k];
        int last = (int) scratch[end - 1];
        int kept = policy == DuplicatePolicy.KEEP_FIRST ? first : last;
        keep[kept] = true;
        if (summed != null) {
          summed[kept] = sum;
        }
        k = end;
      }
    }
    InteractionLog out = new InteractionLog(n);
    for (int i = 0; i < n; i++) {
      if (keep[i]) {
        float value = summed != null ? summed[i] : log.value(i);
        out.add(log.user(i), log.item(i), value, log.timestamp(i), log.type(i));
      }
    }
    return out;
  }
}
