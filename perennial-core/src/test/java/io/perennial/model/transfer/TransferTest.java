package io.perennial.model.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import io.perennial.data.ItemCatalog;
import io.perennial.data.ItemMetadata;
import io.perennial.data.ReadReport;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.content.ItemContent;
import io.perennial.model.content.TextVectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Item matching, the warm start's counts, and what each fine-tune does to the transferred rows. */
class TransferTest {

  @Test
  void titlesAreNormalisedWithTheTrailingYearKeptApart() {
    assertThat(TitleKey.of("Toy Story (1995)")).isEqualTo(new TitleKey("toy story", 1995));
    assertThat(TitleKey.of("  Amélie:   le Fabuleux Destin! ( 2001 ) ")).isEqualTo(new TitleKey("amelie le fabuleux destin", 2001));
    assertThat(TitleKey.of("Se7en")).isEqualTo(new TitleKey("se7en", 0));
    assertThat(TitleKey.of("1984 (1984)")).isEqualTo(new TitleKey("1984", 1984));
    assertThat(TitleKey.of("?!")).isNull();
    assertThat(TitleKey.of(null)).isNull();
    // a year must agree only when both have one
    assertThat(TitleKey.of("Hamlet (1996)").matches(TitleKey.of("hamlet"))).isTrue();
    assertThat(TitleKey.of("Hamlet (1996)").matches(TitleKey.of("HAMLET (1948)"))).isFalse();
  }

  @Test
  void itemsMatchById() {
    IdIndex source = IdIndex.of(List.of("a", "b", "c"));
    IdIndex target = IdIndex.of(List.of("c", "x", "a"));
    ItemMatch m = ItemMatch.byKey(ItemKey.ID, source, id -> null, target, id -> null);
    assertThat(m.sourceRow(0)).isEqualTo(2);
    assertThat(m.sourceRow(1)).isEqualTo(-1);
    assertThat(m.sourceRow(2)).isEqualTo(0);
    assertThat(m.count(ItemMatch.Origin.KEY)).isEqualTo(2);
    assertThat(m.unmatchedTargetIds()).containsExactly("x");
  }

  @Test
  void titlesMatchWithYearsAndDuplicatesResolveDeterministically() {
    IdIndex source = IdIndex.of(List.of("s1", "s2", "s3", "s4"));
    Map<String, String> sourceTitles = Map.of("s1", "Hamlet (1948)", "s2", "Hamlet (1996)", "s3", "Toy Story (1995)",
        "s4", "Heat (1995)");
    IdIndex target = IdIndex.of(List.of("t1", "t2", "t3", "t4", "t5"));
    Map<String, String> targetTitles = Map.of("t1", "hamlet (1996)", "t2", "Hamlet", "t3", "TOY STORY",
        "t4", "Heat (1986)", "t5", "Unknown Film");
    ItemMatch m = ItemMatch.byKey(ItemKey.TITLE, source, sourceTitles::get, target, targetTitles::get);
    assertThat(m.sourceRow(0)).as("the same year wins among duplicates").isEqualTo(1);
    assertThat(m.sourceRow(1)).as("no year: the first in source order").isEqualTo(0);
    assertThat(m.sourceRow(2)).as("a year on one side only").isEqualTo(2);
    assertThat(m.sourceRow(3)).as("different years do not match").isEqualTo(-1);
    assertThat(m.sourceRow(4)).isEqualTo(-1);
    assertThat(m.count(ItemMatch.Origin.KEY)).isEqualTo(3);
  }

  @Test
  void textMatchTakesTheNearestUnclaimedSourceItemAboveTheThreshold() {
    IdIndex source = IdIndex.of(List.of("a", "b", "c"));
    IdIndex target = IdIndex.of(List.of("a", "y", "z"));
    Map<String, float[]> src = Map.of("a", new float[] {1, 0, 0}, "b", new float[] {0.9f, 0.1f, 0}, "c", new float[] {0, 0, 1});
    // y is nearest to a, but a is claimed by id, so it takes b; z is near nothing
    Map<String, float[]> tgt = Map.of("y", new float[] {1, 0.05f, 0}, "z", new float[] {0, 1, 0.2f});
    ItemMatch m = ItemMatch.byKey(ItemKey.ID, source, id -> null, target, id -> null)
        .withText(vectors(src), vectors(tgt), 0.9f);
    assertThat(m.sourceRow(1)).isEqualTo(1);
    assertThat(m.origin(1)).isEqualTo(ItemMatch.Origin.TEXT);
    assertThat(m.sourceRow(2)).isEqualTo(-1);
    assertThat(m.count(ItemMatch.Origin.TEXT)).isEqualTo(1);
  }

  @Test
  void fineTuneModesParseAndBadOnesAreNamed() {
    assertThat(FineTune.parse("lr-ratio:0.25").ratio()).isEqualTo(0.25f);
    assertThat(FineTune.parse("progressive:3").itemsFrozenAt(2)).isTrue();
    assertThat(FineTune.parse("progressive:3").itemsFrozenAt(3)).isFalse();
    assertThat(FineTune.parse("freeze-items").itemsFrozenAt(100)).isTrue();
    assertThatThrownBy(() -> FineTune.parse("lr-ratio:x")).hasMessageContaining("lr-ratio:R");
    assertThatThrownBy(() -> FineTune.parse("thaw")).hasMessageContaining("unknown fine-tune mode 'thaw'");
  }

  @Test
  void countsSayHowEveryItemStarted() {
    World w = new World(7);
    SourceModel source = w.source("ials");
    // target catalogue: the world's 240 items, 6 unknown to the source with genres (mapped), 4 without (fresh)
    List<String> ids = new ArrayList<>(w.items.ids());
    List<ItemMetadata> meta = new ArrayList<>();
    for (int i = 0; i < World.ITEMS; i++) {
      meta.add(ItemMetadata.titled(ids.get(i), "Film " + i, List.of("g" + w.groupOf(i))));
    }
    for (int n = 0; n < 10; n++) {
      ids.add("new" + n);
      if (n < 6) {
        meta.add(ItemMetadata.titled("new" + n, "New " + n, List.of("g" + (n % World.GROUPS))));
      }
    }
    IdIndex targetItems = IdIndex.of(ids);
    Dataset target = new Dataset(w.targetUsers(), targetItems, w.targetLog(0.5, 3), report());
    ItemMatch match = ItemMatch.byKey(ItemKey.ID, source.items(), id -> null, targetItems, id -> null);
    PretrainedTrainer t = new PretrainedTrainer(Algorithms.trainer("ials", w.config()), source, match,
        ItemContent.of(ItemCatalog.of(meta)), false, FineTune.parse("prior"), 35f);
    WarmStart start = t.warmStart(target);
    TransferCounts c = t.lastCounts();
    assertThat(c.matchedByKey()).isEqualTo(World.ITEMS);
    assertThat(c.mapped()).isEqualTo(6);
    assertThat(c.fresh()).isEqualTo(4);
    assertThat(c.matchedByText()).isZero();
    assertThat(c.sourceItems()).isEqualTo(World.ITEMS);
    assertThat(start.items().cardinality()).isEqualTo(World.ITEMS + 6);
    // a mapped item lands nearer its genre's source items than the other genres'
    int k = source.factors();
    int mappedItem = targetItems.indexOf("new0");
    double own = 0;
    double other = 0;
    for (int i = 0; i < World.ITEMS; i++) {
      double cos = cosine(start.itemVectors(), mappedItem * k, source.itemFactors(), i * k, k);
      if (w.groupOf(i) == 0) {
        own += cos;
      } else {
        other += cos;
      }
    }
    assertThat(own / (World.ITEMS / World.GROUPS)).isGreaterThan(other / (World.ITEMS - World.ITEMS / World.GROUPS));
  }

  @Test
  void usersMatchedByIdStartFromTheSourcesUsers() {
    World w = new World(23);
    SourceModel source = w.source("ials");
    // the source's own users s0…s119 come back with a few new ones: one domain, the same people
    List<String> users = new ArrayList<>(source.users().ids());
    users.add("newcomer");
    InteractionLog log = new InteractionLog(16);
    log.add(0, 0, 1f, 0, InteractionType.RATING);
    log.add(users.size() - 1, 1, 1f, 1, InteractionType.RATING);
    Dataset target = new Dataset(IdIndex.of(users), w.items, log, report());
    ItemMatch match = ItemMatch.byKey(ItemKey.ID, source.items(), id -> null, w.items, id -> null);
    PretrainedTrainer t = new PretrainedTrainer(Algorithms.trainer("ials", w.config()), source, match, null, true,
        FineTune.parse("freeze-items"), 0f);
    WarmStart start = t.warmStart(target);
    assertThat(t.lastCounts().matchedUsers()).isEqualTo(World.USERS);
    assertThat(start.users().get(users.size() - 1)).isFalse();
    int k = source.factors();
    assertThat(java.util.Arrays.copyOfRange(start.userVectors(), 5 * k, 6 * k))
        .isEqualTo(java.util.Arrays.copyOfRange(source.userFactors(), 5 * k, 6 * k));
    assertThat(t.lastCounts().summary()).contains(World.USERS + " users matched by id");
  }

  @Test
  void frozenItemsStayBitEqualInEveryFactorModel() {
    World w = new World(11);
    for (String algorithm : List.of("ials", "bpr", "mf")) {
      SourceModel source = w.source(algorithm);
      Dataset target = w.target(0.3, 5);
      ItemMatch match = ItemMatch.byKey(ItemKey.ID, source.items(), id -> null, target.items(), id -> null);
      Trainer trainer = new PretrainedTrainer(Algorithms.trainer(algorithm, w.configOf(algorithm)), source, match, null,
          false, FineTune.parse("freeze-items"), 0f);
      FactorModel tuned = (FactorModel) trainer.fit(target, TrainingOptions.silent());
      assertThat(tuned.itemFactors()).as(algorithm).isEqualTo(source.itemFactors());
      assertThat(tuned.userFactors()).as(algorithm + " users learn").isNotEqualTo(new float[tuned.userFactors().length]);
    }
  }

  @Test
  void progressiveUnfreezesAfterItsEpochsAndTheRatioScalesTheChange() {
    World w = new World(13);
    SourceModel source = w.source("bpr");
    Dataset target = w.target(0.3, 5);
    ItemMatch match = ItemMatch.byKey(ItemKey.ID, source.items(), id -> null, target.items(), id -> null);
    FactorModel thawed = (FactorModel) new PretrainedTrainer(Algorithms.trainer("bpr", w.configOf("bpr")), source, match,
        null, false, FineTune.parse("progressive:2"), 0f).fit(target, TrainingOptions.silent());
    assertThat(thawed.itemFactors()).isNotEqualTo(source.itemFactors());
    FactorModel full = (FactorModel) new PretrainedTrainer(Algorithms.trainer("bpr", w.configOf("bpr")), source, match,
        null, false, FineTune.parse("full"), 0f).fit(target, TrainingOptions.silent());
    FactorModel slow = (FactorModel) new PretrainedTrainer(Algorithms.trainer("bpr", w.configOf("bpr")), source, match,
        null, false, FineTune.parse("lr-ratio:0.1"), 0f).fit(target, TrainingOptions.silent());
    assertThat(distance(slow.itemFactors(), source.itemFactors()))
        .isLessThan(0.5 * distance(full.itemFactors(), source.itemFactors()));
  }

  @Test
  void thePriorPullsTowardTheSourceAndBeatsScratchOnASmallSample() {
    World w = new World(17);
    SourceModel source = w.source("ials");
    Dataset target = w.target(1.0, 2); // two training events per target user
    ItemMatch match = ItemMatch.byKey(ItemKey.ID, source.items(), id -> null, target.items(), id -> null);
    Trainer scratch = Algorithms.trainer("ials", w.config());
    FactorModel weak = (FactorModel) new PretrainedTrainer(scratch, source, match, null, false,
        FineTune.parse("prior"), 1f).fit(target, TrainingOptions.silent());
    FactorModel strong = (FactorModel) new PretrainedTrainer(scratch, source, match, null, false,
        FineTune.parse("prior"), 1000f).fit(target, TrainingOptions.silent());
    assertThat(distance(strong.itemFactors(), source.itemFactors()))
        .isLessThan(distance(weak.itemFactors(), source.itemFactors()));
    Split split = new Split("target", target.log(), w.targetTest());
    EvalSettings settings = EvalSettings.ranking(10);
    double fromScratch = Evaluator.run(scratch, target, List.of(split), settings, TrainingOptions.silent())
        .metrics().get("ndcg@10");
    double transferred = Evaluator.run(new PretrainedTrainer(scratch, source, match, null, false,
        FineTune.parse("prior"), 35f), target, List.of(split), settings, TrainingOptions.silent()).metrics().get("ndcg@10");
    assertThat(transferred).isGreaterThan(1.2 * fromScratch);
  }

  @Test
  void aWarmStartRefusesWhatItCannotDo() {
    World w = new World(19);
    SourceModel source = w.source("ials");
    ItemMatch match = ItemMatch.byKey(ItemKey.ID, source.items(), id -> null, w.items, id -> null);
    assertThatThrownBy(() -> new PretrainedTrainer(Algorithms.trainer("ials", w.config()), source, match, null, false,
        FineTune.parse("lr-ratio:0.5"), 0f)).hasMessageContaining("use prior");
    assertThatThrownBy(() -> new PretrainedTrainer(Algorithms.trainer("pop", null), source, match, null, false,
        FineTune.parse("full"), 0f)).hasMessageContaining("cannot start from a pretrained one");
    ObjectNode wide = w.config().put("factors", 16);
    assertThatThrownBy(() -> new PretrainedTrainer(Algorithms.trainer("ials", wide), source, match, null, false,
        FineTune.parse("full"), 0f)).hasMessageContaining("8 factors");
  }

  // --- a generated world: users like the items of their group ---

  private static final class World {
    static final int ITEMS = 240;
    static final int GROUPS = 12;
    static final int USERS = 120; // per side
    final IdIndex items;
    final SplittableRandom random;
    final List<int[]> targetLiked = new ArrayList<>();

    World(long seed) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < ITEMS; i++) {
        ids.add("i" + i);
      }
      items = IdIndex.of(ids);
      random = new SplittableRandom(seed);
      for (int u = 0; u < USERS; u++) {
        targetLiked.add(liked(u % GROUPS, 12));
      }
    }

    int groupOf(int item) {
      return item % GROUPS;
    }

    int[] liked(int group, int n) {
      java.util.LinkedHashSet<Integer> chosen = new java.util.LinkedHashSet<>();
      while (chosen.size() < n) {
        int i = random.nextInt(ITEMS / GROUPS) * GROUPS + group;
        chosen.add(i);
      }
      return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    ObjectNode config() {
      return configOf("ials");
    }

    ObjectNode configOf(String algorithm) {
      ObjectNode o = Algorithms.defaults(algorithm).removeAll();
      o.put("factors", 8);
      if (!algorithm.equals("mf")) {
        o.put("threads", 1); // BPR with threads > 1 is Hogwild, not reproducible
      }
      if (algorithm.equals("ials")) {
        o.put("regularization", 1f).put("iterations", 8);
      } else {
        o.put("epochs", 10);
      }
      return o;
    }

    SourceModel source(String algorithm) {
      List<String> users = new ArrayList<>();
      InteractionLog log = new InteractionLog(USERS * 12);
      for (int u = 0; u < USERS; u++) {
        users.add("s" + u);
        for (int i : liked(u % GROUPS, 12)) {
          log.add(u, i, algorithm.equals("mf") ? 5f : 1f, log.size(), InteractionType.RATING);
        }
      }
      Dataset d = new Dataset(IdIndex.of(users), items, log, report());
      FactorModel m = (FactorModel) Algorithms.trainer(algorithm, configOf(algorithm)).fit(d);
      return SourceModel.of(m, d.users(), d.items());
    }

    IdIndex targetUsers() {
      List<String> users = new ArrayList<>();
      for (int u = 0; u < USERS; u++) {
        users.add("t" + u);
      }
      return IdIndex.of(users);
    }

    /** Each target user's first {@code perUser} liked items (of every user when fraction is 1). */
    InteractionLog targetLog(double fraction, int perUser) {
      InteractionLog log = new InteractionLog(USERS * perUser);
      for (int u = 0; u < USERS * fraction; u++) {
        int[] liked = targetLiked.get(u);
        for (int n = 0; n < perUser; n++) {
          log.add(u, liked[n], 1f, log.size(), InteractionType.RATING);
        }
      }
      return log;
    }

    Dataset target(double fraction, int perUser) {
      return new Dataset(targetUsers(), items, targetLog(fraction, perUser), report());
    }

    /** The last 4 liked items of each target user. */
    InteractionLog targetTest() {
      InteractionLog log = new InteractionLog(USERS * 4);
      for (int u = 0; u < USERS; u++) {
        int[] liked = targetLiked.get(u);
        for (int n = liked.length - 4; n < liked.length; n++) {
          log.add(u, liked[n], 1f, 1_000_000L + n, InteractionType.RATING);
        }
      }
      return log;
    }
  }

  private static ReadReport report() {
    return new ReadReport(0, 0, Map.of(), 0, 0, List.of());
  }

  private static TextVectors vectors(Map<String, float[]> byId) {
    return new TextVectors() {
      @Override
      public int dims() {
        return 3;
      }

      @Override
      public float[] vectorOf(String itemId) {
        return byId.get(itemId);
      }
    };
  }

  private static double cosine(float[] a, int ao, float[] b, int bo, int k) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int d = 0; d < k; d++) {
      dot += a[ao + d] * b[bo + d];
      na += a[ao + d] * a[ao + d];
      nb += b[bo + d] * b[bo + d];
    }
    return dot / Math.sqrt(na * nb + 1e-12);
  }

  private static double distance(float[] a, float[] b) {
    double s = 0;
    for (int p = 0; p < a.length; p++) {
      s += (a[p] - b[p]) * (double) (a[p] - b[p]);
    }
    return Math.sqrt(s);
  }
}
