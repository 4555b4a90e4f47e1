package io.perennial.kernel;

import java.util.Arrays;

/**
 * Reusable bounded min-heap that keeps the {@code k} highest-scoring ids. Score and id are packed
 * into one {@code long} so the heap allocates nothing per candidate. Ties go to the smaller id, so
 * results are deterministic.
 *
 * <p>Not thread-safe: one instance per thread, {@link #reset(int)} between queries.
 */
public final class TopK {

  private long[] heap;
  private int size;
  private int capacity;

  public TopK(int k) {
    reset(k);
  }

  /** Empties the heap and sets a new capacity, reusing the buffer when it is large enough. */
  public void reset(int k) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    if (heap == null || heap.length < k) {
      heap = new long[Math.max(k, 1)];
    }
    capacity = k;
    size = 0;
  }

  public int size() {
    return size;
  }

  /** Offers a candidate; NaN scores are ignored. */
  public void offer(int id, float score) {
    if (capacity == 0 || Float.isNaN(score)) {
      return;
    }
    long key = pack(id, score);
    if (size < capacity) {
      heap[size] = key;
      siftUp(size++);
    } else if (key > heap[0]) {
      heap[0] = key;
      siftDown(0);
    }
  }

  /** Lowest score currently kept, or negative infinity while the heap is not full. */
  public float threshold() {
    return size < capacity ? Float.NEGATIVE_INFINITY : unpackScore(heap[0]);
  }

  /**
   * Drains the heap into the given arrays, best first, and returns the count. The heap is empty
   * afterwards.
   */
  public int drainTo(int[] ids, float[] scores) {
    int n = size;
    long[] sorted = Arrays.copyOf(heap, n);
    Arrays.sort(sorted);
    for (int i = 0; i < n; i++) {
      long key = sorted[n - 1 - i];
      ids[i] = unpackId(key);
      scores[i] = unpackScore(key);
    }
    size = 0;
    return n;
  }

  static long pack(int id, float score) {
    int bits = Float.floatToIntBits(score);
    // Flip the magnitude bits of negatives so that signed int order equals float order.
    int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
    // Smaller ids get larger low words, so they win ties.
    return ((long) sortable << 32) | (0xffffffffL & (Integer.MAX_VALUE - id));
  }

  static int unpackId(long key) {
    return Integer.MAX_VALUE - (int) key;
  }

  static float unpackScore(long key) {
    int sortable = (int) (key >>> 32);
    int bits = sortable ^ ((sortable >> 31) & 0x7fffffff);
    return Float.intBitsToFloat(bits);
  }

  private void siftUp(int i) {
    long key = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] <= key) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = key;
  }

  private void siftDown(int i) {
    long key = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right] < heap[child]) {
        child = right;
      }
      if (key <= heap[child]) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = key;
  }
}
