package io.perennial.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps external string ids to dense ints {@code 0..size-1} in order of first appearance, and back.
 * Grows as new ids arrive. Not thread-safe: one writer, and readers only after a happens-before edge.
 */
public final class IdIndex {

  private final Map<String, Integer> indexById;
  private final List<String> ids;

  /** An empty index. */
  public IdIndex() {
    this(16);
  }

  /** An empty index sized for about {@code expectedSize} ids. */
  public IdIndex(int expectedSize) {
    indexById = new HashMap<>(Math.max(16, expectedSize * 4 / 3 + 1));
    ids = new ArrayList<>(expectedSize);
  }

  /** Builds an index holding exactly {@code ids} in order; duplicates are rejected. */
  public static IdIndex of(List<String> ids) {
    IdIndex index = new IdIndex(ids.size());
    for (String id : ids) {
      if (index.indexOf(id) >= 0) {
        throw new IllegalArgumentException("duplicate id '" + id + "'");
      }
      index.getOrAdd(id);
    }
    return index;
  }

  /** Returns the dense index of {@code id}, assigning the next free one if it is new. */
  public int getOrAdd(String id) {
    Integer existing = indexById.get(id);
    if (existing != null) {
      return existing;
    }
    int next = ids.size();
    indexById.put(id, next);
    ids.add(id);
    return next;
  }

  /** Dense index of {@code id}, or -1 when unknown. */
  public int indexOf(String id) {
    Integer existing = indexById.get(id);
    return existing == null ? -1 : existing;
  }

  /** External id of a dense index. */
  public String idOf(int index) {
    return ids.get(index);
  }

  /**
   * Replaces the id at {@code index} by {@code replacement} (a deleted user's tombstone), keeping
   * the index: the old id is no longer found, and no new id can take its place.
   *
   * @throws IllegalArgumentException when the replacement is already an id
   */
  public void replace(int index, String replacement) {
    if (indexById.containsKey(replacement)) {
      throw new IllegalArgumentException("id '" + replacement + "' is already in the index");
    }
    indexById.remove(ids.get(index));
    ids.set(index, replacement);
    indexById.put(replacement, index);
  }

  /** Number of ids. */
  public int size() {
    return ids.size();
  }

  /** Unmodifiable view of the ids in index order. */
  public List<String> ids() {
    return Collections.unmodifiableList(ids);
  }

  /** A copy that grows independently of this index. */
  public IdIndex copy() {
    return of(ids);
  }
}
