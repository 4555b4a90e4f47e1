package io.perennial.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticGeneratorTest {

  @TempDir Path dir;

  private static List<Interaction> take(SyntheticConfig config) {
    List<Interaction> out = new ArrayList<>();
    new SyntheticGenerator(config).forEachRemaining(out::add);
    return out;
  }

  @Test
  void sameSeedGivesTheSameStreamAndAnotherSeedDoesNot() {
    SyntheticConfig config = SyntheticConfig.defaults().withEvents(5_000);
    assertThat(take(config)).isEqualTo(take(config));
    assertThat(take(config.withSeed(7))).isNotEqualTo(take(config));
  }

  @Test
  void popularityIsSkewedAndNewUsersAndItemsArrive() {
    SyntheticConfig config = SyntheticConfig.defaults().withEvents(100_000);
    Dataset d = SyntheticGenerator.generate(config);
    DatasetStats stats = DatasetStats.of(d);
    assertThat(stats.itemGini()).as("Zipf popularity").isGreaterThan(0.4);
    assertThat(stats.userGini()).as("power-law activity").isGreaterThan(0.3);
    assertThat(d.userCount()).isGreaterThan(config.users());
    assertThat(d.itemCount()).isGreaterThan(config.items());
    assertThat(d.log().timestamp(d.size() - 1)).isGreaterThan(d.log().timestamp(0));
  }

  @Test
  void aSuddenShiftChangesWhatUsersChoose() {
    SyntheticConfig config = SyntheticConfig.defaults().withEvents(60_000).withShiftAt(0.5).withDrift(0, 0);
    Dataset d = SyntheticGenerator.generate(config);
    // Compare each heavy user's item distribution before and after the shift point.
    int half = d.size() / 2;
    double sameBefore = overlap(d, 0, half / 2, half / 2, half);
    double across = overlap(d, half / 2, half, half, half + half / 2);
    assertThat(across).isLessThan(sameBefore);
  }

  /** Fraction of (user, item) pairs of window B already seen in window A, over active users. */
  private static double overlap(Dataset d, int a0, int a1, int b0, int b1) {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int e = a0; e < a1; e++) {
      seen.add(((long) d.log().user(e) << 32) | d.log().item(e));
    }
    long hits = 0;
    for (int e = b0; e < b1; e++) {
      if (seen.contains(((long) d.log().user(e) << 32) | d.log().item(e))) {
        hits++;
      }
    }
    return (double) hits / (b1 - b0);
  }

  @Test
  void streamsWithBoundedStateAndCapsGrowth() {
    SyntheticConfig config = new SyntheticConfig(1, 100, 100, 8, 1.0, 2.0, 8, 0.3, 0.01, 1_000, 0.05, 0.05,
        -1, 300_000, 0, 1, false, 150, 150);
    SyntheticGenerator generator = new SyntheticGenerator(config);
    long count = 0;
    while (generator.hasNext()) {
      generator.next();
      count++;
    }
    assertThat(count).isEqualTo(300_000);
    assertThat(generator.userCount()).isEqualTo(150);
    assertThat(generator.itemCount()).isEqualTo(150);
  }

  @Test
  void writesCsvAndJsonLinesThatTheReadersReadBack() {
    SyntheticConfig config = SyntheticConfig.defaults().withEvents(2_000);
    Path csv = dir.resolve("s.csv");
    new SyntheticGenerator(config).writeCsv(csv);
    Dataset fromCsv = InteractionReaders.read(csv, DataFormat.CSV,
        ReadOptions.defaults().withDuplicates(DuplicatePolicy.KEEP_ALL));
    assertThat(fromCsv.size()).isEqualTo(2_000);
    Path jsonl = dir.resolve("s.jsonl");
    new SyntheticGenerator(config).writeJsonLines(jsonl);
    Dataset fromJson = InteractionReaders.read(jsonl, DataFormat.JSONL,
        ReadOptions.defaults().withDuplicates(DuplicatePolicy.KEEP_ALL));
    assertThat(fromJson.size()).isEqualTo(2_000);
    List<Interaction> direct = take(config);
    assertThat(fromJson.users().idOf(fromJson.log().user(17))).isEqualTo(SyntheticGenerator.userId(direct.get(17).user()));
    assertThat(fromCsv.log().timestamp(1999)).isEqualTo(direct.get(1999).timestamp());
  }

  /** user, item, type and value of every event, folded into one number. */
  private static long fingerprint(SyntheticConfig config) {
    long hash = 1;
    SyntheticGenerator g = new SyntheticGenerator(config);
    while (g.hasNext()) {
      Interaction e = g.next();
      hash = hash * 31 + e.user();
      hash = hash * 31 + e.item();
      hash = hash * 31 + e.type().ordinal();
      hash = hash * 31 + Float.floatToIntBits(e.value());
    }
    return hash;
  }

  @Test
  void theStreamIsTheOneItHasAlwaysBeen() {
    // Fingerprints of the streams the generator drew before its candidate loop was reordered for
    // memory (the same random numbers in the same order): arrivals, fading items with drift, and
    // ratings across a taste shift. A change here changes every synthetic figure in the docs.
    SyntheticConfig base = SyntheticConfig.defaults().withEvents(20_000);
    assertThat(fingerprint(base)).isEqualTo(-6675098190223536893L);
    assertThat(fingerprint(base.withDrift(0.02, 5_000))).isEqualTo(7341888784551774582L);
    assertThat(fingerprint(base.withRatings(true).withShiftAt(0.5))).isEqualTo(-7298930545981920614L);
  }

  @Test
  void aFixedSizeWorldIsGeneratedInShardsThatTileTheTimeline() {
    SyntheticConfig config = SyntheticConfig.defaults().withSize(3_000, 1_500).withArrivals(0, 0)
        .withEvents(SyntheticGenerator.PARALLEL_FROM);
    assertThat(SyntheticGenerator.shardable(config)).isTrue();
    assertThat(SyntheticGenerator.shardable(config.withArrivals(0.002, 0))).isFalse();
    assertThat(SyntheticGenerator.shardable(config.withEvents(1_000))).isFalse();
    // one thread and two: the same events (the shards, not the threads, own the random streams)
    Dataset a = SyntheticGenerator.generate(config, 1);
    Dataset b = SyntheticGenerator.generate(config, 2);
    InteractionLog log = a.log();
    assertThat(log.size()).isEqualTo(SyntheticGenerator.PARALLEL_FROM);
    long[] perShard = new long[SyntheticGenerator.SHARDS];
    int wrong = 0;
    for (int i = 0; i < log.size(); i++) {
      // every slot written, in time order, with ids of the fixed world, the same on every run
      boolean ok = log.timestamp(i) == config.startTimestamp() + i * config.secondsPerEvent()
          && log.user(i) >= 0 && log.user(i) < 3_000 && log.item(i) >= 0 && log.item(i) < 1_500
          && b.log().user(i) == log.user(i) && b.log().item(i) == log.item(i) && b.log().type(i) == log.type(i)
          && b.log().value(i) == log.value(i) && b.log().timestamp(i) == log.timestamp(i);
      wrong += ok ? 0 : 1;
      perShard[(int) ((long) i * SyntheticGenerator.SHARDS / log.size())] += log.item(i);
    }
    assertThat(wrong).isZero();
    assertThat(perShard).doesNotContain(0L);
    assertThat(a.userCount()).isEqualTo(3_000);
    assertThat(a.itemCount()).isEqualTo(1_500);
  }
}
