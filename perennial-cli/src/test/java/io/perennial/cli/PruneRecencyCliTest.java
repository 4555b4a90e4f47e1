package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.store.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code perennial prune --unseen-for DURATION --data …} (issue 17: ids unseen for a time are dropped). */
class PruneRecencyCliTest {

  @TempDir Path dir;

  @Test
  void dropsTheIdsLastSeenBeforeTheWindowAndKeepsTheOthersScoresBitForBit() throws IOException {
    Path ratings = CliHarness.ratingsCsv(dir.resolve("ratings.csv"), 8_000, v -> v);
    Path full = dir.resolve("full.pmdl");
    ok("train", "--data", ratings.toString(), "--format", "movielens", "--implicit", "--model", "ials",
        "--out", full.toString());
    // the expected survivors, from the file itself: an event within 12 hours of the newest
    Map<String, Long> userLast = new HashMap<>();
    Map<String, Long> itemLast = new HashMap<>();
    long newest = Long.MIN_VALUE;
    List<String> lines = Files.readAllLines(ratings);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      long t = Long.parseLong(f[3]);
      userLast.merge(f[0], t, Math::max);
      itemLast.merge(f[1], t, Math::max);
      newest = Math.max(newest, t);
    }
    long cutoff = newest - 12 * 3600;
    Set<String> recentUsers = new HashSet<>();
    userLast.forEach((id, t) -> {
      if (t >= cutoff) {
        recentUsers.add(id);
      }
    });
    Set<String> recentItems = new HashSet<>();
    itemLast.forEach((id, t) -> {
      if (t >= cutoff) {
        recentItems.add(id);
      }
    });
    Path pruned = dir.resolve("recent.pmdl");
    CliHarness.Result r = ok("prune", "--model", full.toString(), "--out", pruned.toString(), "--unseen-for", "12h",
        "--data", ratings.toString());
    assertThat(r.stdout()).containsPattern("kept [\\d,]+ of [\\d,]+ users").contains("popularity fallback");
    Checkpoint before = Checkpoint.read(full);
    Checkpoint after = Checkpoint.read(pruned);
    assertThat(recentUsers.size()).isLessThan(userLast.size());
    assertThat(new HashSet<>(after.users().ids())).isEqualTo(recentUsers);
    assertThat(new HashSet<>(after.items().ids())).isEqualTo(recentItems);
    Recommender a = Algorithms.restore(before.state());
    Recommender b = Algorithms.restore(after.state());
    for (int u = 0; u < b.userCount(); u += 5) {
      int uBefore = before.users().indexOf(after.users().idOf(u));
      for (int i = 0; i < b.itemCount(); i += 4) {
        int iBefore = before.items().indexOf(after.items().idOf(i));
        assertThat(Float.floatToIntBits(b.score(u, i))).isEqualTo(Float.floatToIntBits(a.score(uBefore, iBefore)));
      }
    }
    // ISO-8601 says the same; --as-of a time before the data moves the window back, and with
    // a floor as well fewer users remain
    Path iso = dir.resolve("iso.pmdl");
    ok("prune", "--model", full.toString(), "--out", iso.toString(), "--unseen-for", "PT12H", "--data", ratings.toString());
    assertThat(Checkpoint.read(iso).users().ids()).isEqualTo(after.users().ids());
    Path both = dir.resolve("both.pmdl");
    ok("prune", "--model", full.toString(), "--out", both.toString(), "--unseen-for", "12h", "--min-user-events", "30",
        "--data", ratings.toString());
    assertThat(Checkpoint.read(both).users().size()).isLessThan(after.users().size());
    Path later = dir.resolve("later.pmdl");
    CliHarness.Result future = CliHarness.runOnce("prune", "--model", full.toString(), "--out", later.toString(),
        "--unseen-for", "1d", "--as-of", "2100-01-01", "--data", ratings.toString());
    assertThat(future.exitCode()).isEqualTo(2);
    assertThat(future.stderr()).contains("every item");
  }

  @Test
  void badDurationsAndMissingDataAreOneLineErrors() throws IOException {
    Path ratings = CliHarness.ratingsCsv(dir.resolve("ratings.csv"), 2_000, v -> v);
    Path full = dir.resolve("full.pmdl");
    ok("train", "--data", ratings.toString(), "--format", "movielens", "--implicit", "--model", "ials",
        "--out", full.toString());
    String out = dir.resolve("out.pmdl").toString();
    String[][] cases = {
        {"--unseen-for", "ninety days", "--data", ratings.toString()},
        {"--unseen-for", "0d", "--data", ratings.toString()},
        {"--unseen-for", "90d"},
        {"--data", ratings.toString()},
        {"--unseen-for", "90d", "--as-of", "yesterday", "--data", ratings.toString()},
    };
    String[] expected = {"--unseen-for: 'ninety days' is not a duration", "--unseen-for: the duration must be positive",
        "--unseen-for needs --data", "--data is for --unseen-for", "--as-of: 'yesterday' is not a time"};
    for (int c = 0; c < cases.length; c++) {
      List<String> args = new java.util.ArrayList<>(List.of("prune", "--model", full.toString(), "--out", out));
      args.addAll(List.of(cases[c]));
      CliHarness.Result r = CliHarness.runOnce(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(String.join(" ", cases[c])).isEqualTo(2);
      assertThat(r.stderr()).contains(expected[c]).doesNotContain("Exception");
    }
    assertThat(Files.exists(Path.of(out))).isFalse();
  }

  @Test
  void durationsReadUnitsAndIso8601() {
    assertThat(Durations.seconds("--x", "45s")).isEqualTo(45);
    assertThat(Durations.seconds("--x", "30m")).isEqualTo(1_800);
    assertThat(Durations.seconds("--x", "12h")).isEqualTo(43_200);
    assertThat(Durations.seconds("--x", "90d")).isEqualTo(90 * 86_400L);
    assertThat(Durations.seconds("--x", "2w")).isEqualTo(14 * 86_400L);
    assertThat(Durations.seconds("--x", "3y")).isEqualTo(3 * 365 * 86_400L);
    assertThat(Durations.seconds("--x", "P90D")).isEqualTo(90 * 86_400L);
    assertThat(Durations.seconds("--x", "p1y2m3d")).isEqualTo((365 + 60 + 3) * 86_400L);
    assertThat(Durations.seconds("--x", "PT12H30M")).isEqualTo(45_000);
    assertThat(Durations.seconds("--x", "P1DT1H")).isEqualTo(90_000);
    for (String bad : new String[] {"", "d", "12", "12q", "P", "PT", "-3d", "P-3D", "99999999999999999y"}) {
      assertThatThrownBy(() -> Durations.seconds("--unseen-for", bad)).as(bad).isInstanceOf(UserException.class)
          .hasMessageStartingWith("--unseen-for: ");
    }
  }

  private static CliHarness.Result ok(String... args) {
    CliHarness.Result r = CliHarness.runOnce(args);
    assertThat(r.exitCode()).as(r.stderr() + r.stdout()).isZero();
    return r;
  }
}
