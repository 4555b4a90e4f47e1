package io.perennial.server.learn;

import io.perennial.data.IdIndex;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A read-mostly view of an id space for request threads: one writer (the learner) appends ids in
 * index order, any number of readers look them up concurrently. Ids are never removed or
 * renumbered, so an index a reader got stays valid.
 */
public final class SharedIds {

  private final ConcurrentHashMap<String, Integer> indexById = new ConcurrentHashMap<>();
  private volatile String[] ids = new String[16];
  private volatile int size;

  /** A view holding {@code index}'s ids in order. */
  public static SharedIds of(IdIndex index) {
    SharedIds shared = new SharedIds();
    for (String id : index.ids()) {
      shared.append(id);
    }
    return shared;
  }

  /** Appends the next id (the writer only). */
  public void append(String id) {
    String[] a = ids;
    if (size == a.length) {
      a = Arrays.copyOf(a, a.length * 2);
    }
    a[size] = id;
    ids = a;
    // the map entry is published last: a reader that finds the id can also resolve its index back
    indexById.put(id, size);
    size = size + 1;
  }

  /**
   * Replaces the id at {@code index} by a tombstone (the writer only): the old id is no longer
   * found, and the index keeps its place, so the indices readers hold stay valid.
   */
  public void replace(int index, String tombstone) {
    String old = ids[index];
    indexById.put(tombstone, index);
    ids[index] = tombstone;
    indexById.remove(old);
  }

  /** Dense index of {@code id}, or -1. */
  public int indexOf(String id) {
    Integer i = indexById.get(id);
    return i == null ? -1 : i;
  }

  /** External id of an index obtained from this view or from a model sharing its id space. */
  public String idOf(int index) {
    return ids[index];
  }

  public int size() {
    return size;
  }

  /** The ids appended so far, as an independent index. */
  public IdIndex snapshot() {
    int n = size;
    String[] a = ids;
    return IdIndex.of(List.of(Arrays.copyOf(a, n)));
  }
}
