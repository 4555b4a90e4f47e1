package io.perennial.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruningTest {

  @TempDir Path dir;

  private static final Dataset WORLD = SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(20_000));

  @Test
  void keptIdsScoreExactlyAsBeforeAndThePrunedFileLoads() {
    for (String type : new String[] {"bpr", "ials", "mf"}) {
      Recommender model = Algorithms.trainer(type, null).fit(WORLD);
      Checkpoint full = new Checkpoint(model.state(), WORLD.users(), WORLD.items(),
          Provenance.ofTraining(1, "synthetic", WORLD));
      Pruning.Result r = Pruning.byFrequency(full, 5, 3);
      assertThat(r.usersKept()).isLessThan(r.usersBefore()).isPositive();
      assertThat(r.itemsKept()).isLessThan(r.itemsBefore()).isPositive();
      Path file = dir.resolve(type + ".pmdl");
      r.checkpoint().write(file);
      Checkpoint read = Checkpoint.read(file);
      Recommender pruned = Algorithms.restore(read.state());
      assertThat(pruned.userCount()).isEqualTo(r.usersKept());
      assertThat(pruned.itemCount()).isEqualTo(r.itemsKept());
      for (int u = 0; u < Math.min(50, pruned.userCount()); u++) {
        int before = full.users().indexOf(read.users().idOf(u));
        assertThat(model.userCount() > before && WORLD.byUser().rowLength(before) >= 5).isTrue();
        for (int i = 0; i < pruned.itemCount(); i += 5) {
          int itemBefore = full.items().indexOf(read.items().idOf(i));
          assertThat(pruned.score(u, i)).as("%s user %d item %d", type, u, i).isEqualTo(model.score(before, itemBefore));
        }
        // the ranking over the kept items is the old one with the pruned items taken out
        Recommendations top = pruned.recommend(u, 5, true, null);
        for (int p = 1; p < top.size(); p++) {
          assertThat(top.scores()[p]).isLessThanOrEqualTo(top.scores()[p - 1]);
        }
      }
      long bytesBefore = full.encodedBytes();
      assertThat(r.checkpoint().encodedBytes()).isLessThan(bytesBefore);
    }
  }

  @Test
  void idsUnseenSinceTheCutoffAreDroppedAndTheKeptOnesScoreExactlyAsBefore() {
    Recommender model = Algorithms.trainer("ials", null).fit(WORLD);
    Checkpoint full = new Checkpoint(model.state(), WORLD.users(), WORLD.items(), Provenance.ofTraining(1, "s", WORLD));
    Pruning.LastSeen seen = Pruning.LastSeen.of(full, WORLD);
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (int e = 0; e < WORLD.log().size(); e++) {
      first = Math.min(first, WORLD.log().timestamp(e));
      last = Math.max(last, WORLD.log().timestamp(e));
    }
    assertThat(seen.newest()).isEqualTo(last);
    long cutoff = first + (last - first) * 3 / 4;
    Pruning.Result r = Pruning.byFrequencyAndRecency(full, 1, 1, seen, cutoff);
    assertThat(r.usersKept()).isLessThan(r.usersBefore()).isPositive();
    assertThat(r.itemsKept()).isLessThan(r.itemsBefore()).isPositive();
    // exactly the ids with an event at or after the cutoff survive
    java.util.Set<String> recentUsers = new java.util.HashSet<>();
    java.util.Set<String> recentItems = new java.util.HashSet<>();
    for (int e = 0; e < WORLD.log().size(); e++) {
      if (WORLD.log().timestamp(e) >= cutoff) {
        recentUsers.add(WORLD.users().idOf(WORLD.log().user(e)));
        recentItems.add(WORLD.items().idOf(WORLD.log().item(e)));
      }
    }
    Path file = dir.resolve("recent.pmdl");
    r.checkpoint().write(file);
    Checkpoint read = Checkpoint.read(file);
    assertThat(new java.util.HashSet<>(read.users().ids())).isEqualTo(recentUsers);
    assertThat(new java.util.HashSet<>(read.items().ids())).isEqualTo(recentItems);
    Recommender pruned = Algorithms.restore(read.state());
    for (int u = 0; u < pruned.userCount(); u += 7) {
      int before = full.users().indexOf(read.users().idOf(u));
      for (int i = 0; i < pruned.itemCount(); i += 3) {
        int itemBefore = full.items().indexOf(read.items().idOf(i));
        assertThat(Float.floatToIntBits(pruned.score(u, i))).as("user %d item %d", u, i)
            .isEqualTo(Float.floatToIntBits(model.score(before, itemBefore)));
      }
    }
    // both criteria at once: the users that pass each
    Pruning.Result both = Pruning.byFrequencyAndRecency(full, 30, 1, seen, cutoff);
    java.util.Set<String> expected = new java.util.HashSet<>(read.users().ids());
    expected.retainAll(Pruning.byFrequency(full, 30, 1).checkpoint().users().ids());
    assertThat(both.usersKept()).isLessThan(r.usersKept());
    assertThat(new java.util.HashSet<>(both.checkpoint().users().ids())).isEqualTo(expected);
    // an id the data never mentions counts as unseen
    Dataset withoutFirstUser = WORLD.withLog(WORLD.log().select(java.util.stream.IntStream.range(0, WORLD.log().size())
        .filter(e -> WORLD.log().user(e) != 0).toArray()));
    Pruning.LastSeen partial = Pruning.LastSeen.of(full, withoutFirstUser);
    assertThat(partial.users()[full.users().indexOf(WORLD.users().idOf(0))]).isEqualTo(Pruning.LastSeen.NEVER);
    assertThat(Pruning.byFrequencyAndRecency(full, 1, 1, partial, first).checkpoint().users().indexOf(
        WORLD.users().idOf(0))).isEqualTo(-1);
  }

  @Test
  void nonFactorModelsAndEmptyResultsAreRefused() {
    Recommender pop = Algorithms.trainer("pop", null).fit(WORLD);
    Checkpoint c = new Checkpoint(pop.state(), WORLD.users(), WORLD.items(), Provenance.ofTraining(1, "s", WORLD));
    assertThatThrownBy(() -> Pruning.byFrequency(c, 1, 1)).hasMessageContaining("factor models");
    Recommender bpr = Algorithms.trainer("bpr", null).fit(WORLD);
    Checkpoint b = new Checkpoint(bpr.state(), WORLD.users(), WORLD.items(), Provenance.ofTraining(1, "s", WORLD));
    assertThatThrownBy(() -> Pruning.byFrequency(b, 1, 1e9f)).hasMessageContaining("every item");
  }
}
