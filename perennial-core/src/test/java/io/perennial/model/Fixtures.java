package io.perennial.model;

import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ReadReport;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small datasets with known structure for the contract tests. */
public final class Fixtures {

  public static final int USERS = 60;
  public static final int ITEMS = 80;

  private Fixtures() {}

  /** Group of a user or item in the checkerboard: first half 0, second half 1. */
  public static int userGroup(int user) {
    return user < USERS / 2 ? 0 : 1;
  }

  public static int itemGroup(int item) {
    return item < ITEMS / 2 ? 0 : 1;
  }

  /**
   * Two blocks: users of group g interact with about 60% of the items of group g and nothing else
   * (value 1). Item popularity inside a block is skewed so the popularity list is informative.
   */
  public static Dataset implicitCheckerboard(long seed) {
    return checkerboard(seed, false);
  }

  /**
   * Ratings: in-group items get 4.5–5, and each user also rates a few out-of-group items 1–1.5, so
   * a rating model can tell the blocks apart.
   */
  public static Dataset explicitCheckerboard(long seed) {
    return checkerboard(seed, true);
  }

  private static Dataset checkerboard(long seed, boolean ratings) {
    SplittableRandom random = new SplittableRandom(seed);
    InteractionLog log = new InteractionLog();
    long t = 1_000;
    for (int u = 0; u < USERS; u++) {
      for (int i = 0; i < ITEMS; i++) {
        boolean same = userGroup(u) == itemGroup(i);
        int rank = i % (ITEMS / 2);
        double p = same ? 0.85 - 0.5 * rank / (ITEMS / 2.0) : (ratings ? 0.2 : 0);
        if (random.nextDouble() < p) {
          float value = ratings ? (same ? 4.5f + (random.nextBoolean() ? 0.5f : 0f) : 1f + (random.nextBoolean() ? 0.5f : 0f)) : 1f;
          log.add(u, i, value, t++, ratings ? InteractionType.RATING : InteractionType.VIEW);
        }
      }
    }
    IdIndex users = new IdIndex();
    for (int u = 0; u < USERS; u++) {
      users.getOrAdd("user" + u);
    }
    IdIndex items = new IdIndex();
    for (int i = 0; i < ITEMS; i++) {
      items.getOrAdd("item" + i);
    }
    return new Dataset(users, items, log, new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
  }

  /**
   * Metadata for the checkerboard's items: each block has its own genre and title words (and a
   * word of every title is shared by both), so content alone tells the blocks apart.
   */
  public static io.perennial.model.content.ItemContent checkerboardContent() {
    List<io.perennial.data.ItemMetadata> items = new java.util.ArrayList<>();
    String[][] words = {{"red", "dragon", "castle"}, {"blue", "ocean", "harbour"}};
    for (int i = 0; i < ITEMS; i++) {
      String[] w = words[itemGroup(i)];
      String title = w[i % 3] + " " + w[(i + 1) % 3] + " story (" + (1950 + 10 * itemGroup(i) + i % 10) + ")";
      items.add(io.perennial.data.ItemMetadata.titled("item" + i, title, List.of(itemGroup(i) == 0 ? "Fantasy" : "Drama")));
    }
    return io.perennial.model.content.ItemContent.of(io.perennial.data.ItemCatalog.of(items));
  }

  /**
   * Share of (user, in-block item, out-of-block item) triples of the checkerboard that
   * {@code model} ranks the right way round (every 7th out-of-block item, to keep it quick).
   */
  public static double checkerboardAuc(Recommender model) {
    long right = 0;
    long all = 0;
    for (int u = 0; u < USERS; u++) {
      for (int i = 0; i < ITEMS; i++) {
        for (int j = 0; j < ITEMS; j += 7) {
          if (itemGroup(i) == userGroup(u) && itemGroup(j) != userGroup(u)) {
            right += model.score(u, i) > model.score(u, j) ? 1 : 0;
            all++;
          }
        }
      }
    }
    return (double) right / all;
  }
}
