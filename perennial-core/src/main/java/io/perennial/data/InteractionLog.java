package io.perennial.data;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * An append-only, columnar list of interactions (parallel primitive arrays, about 21 bytes an
 * event), in the order they were added. Cheap to subset by index, which is how splitters work.
 */
public final class InteractionLog {

  private static final InteractionType[] TYPES = InteractionType.values();

  private int size;
  private int[] users;
  private int[] items;
  private float[] values;
  private long[] timestamps;
  private byte[] types;

  public InteractionLog() {
    this(1024);
  }

  public InteractionLog(int initialCapacity) {
    int c = Math.max(1, initialCapacity);
    users = new int[c];
    items = new int[c];
    values = new float[c];
    timestamps = new long[c];
    types = new byte[c];
  }

  public void add(Interaction e) {
    add(e.user(), e.item(), e.value(), e.timestamp(), e.type());
  }

  public void add(int user, int item, float value, long timestamp, InteractionType type) {
    if (size == users.length) {
      grow();
    }
    users[size] = user;
    items[size] = item;
    values[size] = value;
    timestamps[size] = timestamp;
    types[size] = (byte) type.ordinal();
    size++;
  }

  /**
   * A log of {@code size} zeroed events, to be filled by {@link #set} from several threads at
   * disjoint positions (parallel generation writes its shards in place, without a merge copy).
   */
  static InteractionLog ofSize(int size) {
    InteractionLog log = new InteractionLog(size);
    log.size = size;
    return log;
  }

  /** Overwrites event {@code i} (for {@link #ofSize}). */
  void set(int i, int user, int item, float value, long timestamp, InteractionType type) {
    users[i] = user;
    items[i] = item;
    values[i] = value;
    timestamps[i] = timestamp;
    types[i] = (byte) type.ordinal();
  }

  private void grow() {
    int c = Math.max(16, (int) Math.min(Integer.MAX_VALUE - 8, users.length * 3L / 2));
    users = Arrays.copyOf(users, c);
    items = Arrays.copyOf(items, c);
    values = Arrays.copyOf(values, c);
    timestamps = Arrays.copyOf(timestamps, c);
    types = Arrays.copyOf(types, c);
  }

  public int size() {
    return size;
  }

  public int user(int i) {
    check(i);
    return users[i];
  }

  public int item(int i) {
    check(i);
    return items[i];
  }

  public float value(int i) {
    check(i);
    return values[i];
  }

  public long timestamp(int i) {
    check(i);
    return timestamps[i];
  }

  public InteractionType type(int i) {
    check(i);
    return TYPES[types[i]];
  }

  public Interaction get(int i) {
    check(i);
    return new Interaction(users[i], items[i], values[i], timestamps[i], TYPES[types[i]]);
  }

  /** Overwrites the value of event {@code i} (used by duplicate policies). */
  void setValue(int i, float value) {
    check(i);
    values[i] = value;
  }

  public void forEach(Consumer<Interaction> consumer) {
    for (int i = 0; i < size; i++) {
      consumer.accept(get(i));
    }
  }

  /** Largest user index plus one (0 when empty). */
  public int userBound() {
    int max = -1;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, users[i]);
    }
    return max + 1;
  }

  /** Largest item index plus one (0 when empty). */
  public int itemBound() {
    int max = -1;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, items[i]);
    }
    return max + 1;
  }

  /** A new log holding the events at {@code indices}, in that order. */
  public InteractionLog select(int[] indices) {
    InteractionLog out = new InteractionLog(indices.length);
    for (int i : indices) {
      check(i);
      out.add(users[i], items[i], values[i], timestamps[i], TYPES[types[i]]);
    }
    return out;
  }

  /** A new log holding every event with each value replaced by {@code value}. */
  public InteractionLog withConstantValue(float value) {
    InteractionLog out = copy();
    Arrays.fill(out.values, 0, size, value);
    return out;
  }

  public InteractionLog copy() {
    InteractionLog out = new InteractionLog(size);
    System.arraycopy(users, 0, out.users, 0, size);
    System.arraycopy(items, 0, out.items, 0, size);
    System.arraycopy(values, 0, out.values, 0, size);
    System.arraycopy(timestamps, 0, out.timestamps, 0, size);
    System.arraycopy(types, 0, out.types, 0, size);
    out.size = size;
    return out;
  }

  /**
   * Event indices ordered by timestamp; ties keep their insertion order, so the result is
   * deterministic.
   */
  public int[] indicesByTime() {
    return IntStream.range(0, size)
        .boxed()
        .sorted((a, b) -> {
          int c = Long.compare(timestamps[a], timestamps[b]);
          return c != 0 ? c : Integer.compare(a, b);
        })
        .mapToInt(Integer::intValue)
        .toArray();
  }

  public long minTimestamp() {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      min = Math.min(min, timestamps[i]);
    }
    return min;
  }

  public long maxTimestamp() {
    long max = Long.MIN_VALUE;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, timestamps[i]);
    }
    return max;
  }

  private void check(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("event " + i + " of " + size);
    }
  }
}
