package io.perennial.model.transfer;

import io.perennial.data.IdIndex;
import io.perennial.kernel.VectorOps;
import io.perennial.model.content.TextVectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which source item each target item starts from. First by key: the same external id, or (with
 * {@link ItemKey#TITLE}) a source item whose {@link TitleKey} matches; then, for the items left,
 * by the nearest source text vector when its cosine reaches a threshold.
 *
 * <p>Duplicate titles: when several source items match a target title, one with the same year is
 * preferred, then the first in the source's item order, so the choice is deterministic. Several
 * target items may start from one source item.
 */
public final class ItemMatch {

  /** How a target item was matched. */
  public enum Origin { KEY, TEXT, NONE }

  private final ItemKey key;
  private final IdIndex sourceItems;
  private final IdIndex targetItems;
  private final int[] sourceRow;
  private final Origin[] origin;

  private ItemMatch(ItemKey key, IdIndex sourceItems, IdIndex targetItems, int[] sourceRow, Origin[] origin) {
    this.key = key;
    this.sourceItems = sourceItems;
    this.targetItems = targetItems;
    this.sourceRow = sourceRow;
    this.origin = origin;
  }

  /**
   * Matches every target item by {@code key}.
   *
   * @param sourceTitle a source item id's title, or null when unknown (only read for {@code TITLE})
   * @param targetTitle a target item id's title, or null when unknown (only read for {@code TITLE})
   */
  public static ItemMatch byKey(ItemKey key, IdIndex sourceItems, Function<String, String> sourceTitle,
      IdIndex targetItems, Function<String, String> targetTitle) {
    int n = targetItems.size();
    int[] rows = new int[n];
    Origin[] origin = new Origin[n];
    Arrays.fill(rows, -1);
    Arrays.fill(origin, Origin.NONE);
    if (key == ItemKey.ID) {
      for (int i = 0; i < n; i++) {
        rows[i] = sourceItems.indexOf(targetItems.idOf(i));
      }
    } else {
      Map<String, List<Integer>> byTitle = new HashMap<>();
      List<TitleKey> keys = new ArrayList<>(sourceItems.size());
      for (int s = 0; s < sourceItems.size(); s++) {
        TitleKey k = TitleKey.of(sourceTitle.apply(sourceItems.idOf(s)));
        keys.add(k);
        if (k != null) {
          byTitle.computeIfAbsent(k.title(), t -> new ArrayList<>()).add(s);
        }
      }
      for (int i = 0; i < n; i++) {
        TitleKey k = TitleKey.of(targetTitle.apply(targetItems.idOf(i)));
        if (k == null) {
          continue;
        }
        int best = -1;
        for (int s : byTitle.getOrDefault(k.title(), List.of())) {
          TitleKey candidate = keys.get(s);
          if (!candidate.matches(k)) {
            continue;
          }
          if (best < 0 || (candidate.year() == k.year() && keys.get(best).year() != k.year())) {
            best = s;
          }
        }
        rows[i] = best;
      }
    }
    for (int i = 0; i < n; i++) {
      if (rows[i] >= 0) {
        origin[i] = Origin.KEY;
      }
    }
    return new ItemMatch(key, sourceItems, targetItems, rows, origin);
  }

  /**
   * This match with each target item still unmatched paired with the source item of most similar
   * text among those no key claimed, when their cosine is at least {@code threshold}. Items without a vector on either side stay
   * as they are; ties go to the first source item.
   */
  public ItemMatch withText(TextVectors sourceText, TextVectors targetText, float threshold) {
    int[] rows = sourceRow.clone();
    Origin[] from = origin.clone();
    int dims = sourceText.dims();
    if (targetText.dims() != dims) {
      throw new IllegalArgumentException("source text vectors have " + dims + " dimensions, target ones "
          + targetText.dims());
    }
    List<Integer> candidates = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    java.util.BitSet claimed = new java.util.BitSet(sourceItems.size());
    for (int row : sourceRow) {
      if (row >= 0) {
        claimed.set(row);
      }
    }
    for (int s = 0; s < sourceItems.size(); s++) {
      if (claimed.get(s)) {
        continue;
      }
      float[] v = sourceText.vectorOf(sourceItems.idOf(s));
      if (v != null) {
        candidates.add(s);
        vectors.add(unit(v));
      }
    }
    float[] table = new float[vectors.size() * dims];
    for (int c = 0; c < vectors.size(); c++) {
      System.arraycopy(vectors.get(c), 0, table, c * dims, dims);
    }
    for (int i = 0; i < rows.length; i++) {
      if (from[i] != Origin.NONE) {
        continue;
      }
      float[] v = targetText.vectorOf(targetItems.idOf(i));
      if (v == null) {
        continue;
      }
      float[] u = unit(v);
      int best = -1;
      float bestCosine = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < candidates.size(); c++) {
        float cosine = VectorOps.dot(u, 0, table, c * dims, dims);
        if (cosine > bestCosine) {
          bestCosine = cosine;
          best = c;
        }
      }
      if (best >= 0 && bestCosine >= threshold) {
        rows[i] = candidates.get(best);
        from[i] = Origin.TEXT;
      }
    }
    return new ItemMatch(key, sourceItems, targetItems, rows, from);
  }

  private static float[] unit(float[] v) {
    double norm = Math.sqrt(VectorOps.dot(v, 0, v, 0, v.length));
    float[] u = new float[v.length];
    if (norm > 0) {
      for (int d = 0; d < v.length; d++) {
        u[d] = (float) (v[d] / norm);
      }
    }
    return u;
  }

  /** The key the first pass matched by. */
  public ItemKey key() {
    return key;
  }

  /** The source model's items. */
  public IdIndex sourceItems() {
    return sourceItems;
  }

  /** The target's items, in the order of {@link #sourceRow}. */
  public IdIndex targetItems() {
    return targetItems;
  }

  /** Target items this match covers. */
  public int size() {
    return sourceRow.length;
  }

  /** The source row target item {@code item} starts from, or -1 (also for items past {@link #size}). */
  public int sourceRow(int item) {
    return item < sourceRow.length ? sourceRow[item] : -1;
  }

  /** How target item {@code item} was matched ({@code NONE} past {@link #size}). */
  public Origin origin(int item) {
    return item < origin.length ? origin[item] : Origin.NONE;
  }

  /** The ids of the target items not matched yet. */
  public List<String> unmatchedTargetIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < origin.length; i++) {
      if (origin[i] == Origin.NONE) {
        ids.add(targetItems.idOf(i));
      }
    }
    return ids;
  }

  /** Target items matched with {@code how}. */
  public int count(Origin how) {
    int n = 0;
    for (Origin o : origin) {
      if (o == how) {
        n++;
      }
    }
    return n;
  }
}
