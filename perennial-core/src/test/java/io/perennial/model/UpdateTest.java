package io.perennial.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import io.perennial.data.InteractionType;
import org.junit.jupiter.api.Test;

/** The update request: its defaults, its checks, and which parts each kind of model honours. */
class UpdateTest {

  /** Block-0 users taking up block-1 items: a drift that moves the trained rows. */
  private static InteractionLog drift() {
    InteractionLog events = new InteractionLog();
    long t = 5_000_000;
    for (int u = 0; u < 10; u++) {
      for (int i = Fixtures.ITEMS / 2; i < Fixtures.ITEMS / 2 + 6; i++) {
        events.add(u, i, 1f, t++, InteractionType.VIEW);
      }
    }
    return events;
  }

  private static InteractionLog one(int user, int item) {
    InteractionLog log = new InteractionLog();
    log.add(user, item, 1f, 1L, InteractionType.VIEW);
    return log;
  }

  /** Largest score difference between two models over every stored (user, item) pair. */
  private static double maxScoreDifference(Recommender a, Recommender b) {
    double worst = 0;
    for (int u = 0; u < a.userCount(); u++) {
      for (int i = 0; i < a.itemCount(); i++) {
        worst = Math.max(worst, Math.abs(a.score(u, i) - b.score(u, i)));
      }
    }
    return worst;
  }

  /** Applies {@code update} to a fresh copy of {@code trained}. */
  private static Recommender updated(Recommender trained, Update update) {
    Recommender copy = Algorithms.copy(trained);
    copy.partialFit(update);
    return copy;
  }

  @Test
  void ofAsksForThePlainUpdate() {
    InteractionLog events = drift();
    Update update = Update.of(events, Fixtures.USERS, Fixtures.ITEMS);
    assertThat(update.events()).isSameAs(events);
    assertThat(update.replay().size()).isZero();
    assertThat(update.users()).isEqualTo(Fixtures.USERS);
    assertThat(update.items()).isEqualTo(Fixtures.ITEMS);
    assertThat(update.stability()).isEqualTo(Stability.none());
    assertThat(update.teacher()).isNull();
  }

  @Test
  void eachWitherReplacesOnlyItsOwnPart() {
    InteractionLog past = one(3, 4);
    Stability protection = new Stability(2f, true, 1f, 7);
    Recommender teacher = Algorithms.trainer("pop", null).fit(Fixtures.implicitCheckerboard(1));
    Update plain = Update.of(drift(), Fixtures.USERS, Fixtures.ITEMS);
    Update full = plain.withReplay(past).withStability(protection).withTeacher(teacher);
    assertThat(full).isEqualTo(new Update(plain.events(), past, Fixtures.USERS, Fixtures.ITEMS, protection, teacher));
    assertThat(full.withTeacher(null).teacher()).isNull();
    assertThat(full.withTeacher(null).stability()).isEqualTo(protection);
    assertThat(plain.withStability(protection).replay()).isSameAs(plain.replay());
  }

  @Test
  void refusesMissingPartsAndNegativeSizes() {
    InteractionLog events = drift();
    InteractionLog empty = new InteractionLog();
    assertThatThrownBy(() -> new Update(null, empty, 60, 80, Stability.none(), null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("events");
    assertThatThrownBy(() -> new Update(events, null, 60, 80, Stability.none(), null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("replay");
    assertThatThrownBy(() -> new Update(events, empty, 60, 80, null, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("Stability.none()");
    assertThatThrownBy(() -> Update.of(empty, -1, 80))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void refusesAnEventOutsideTheSizesAndNamesIt() {
    assertThatThrownBy(() -> Update.of(one(60, 2), 60, 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("events event 0 (user 60, item 2)")
        .hasMessageContaining("60 users × 80 items");
    Update fits = Update.of(one(59, 79), 60, 80);
    assertThatThrownBy(() -> fits.withReplay(one(1, 80)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replay event 0 (user 1, item 80)");
  }

  @Test
  void bprTrainsOnTheReplayWhileIalsAndPopularityIgnoreIt() {
    Dataset data = Fixtures.implicitCheckerboard(1);
    InteractionLog past = data.log();
    for (String algorithm : new String[] {"bpr", "ials", "pop"}) {
      Recommender trained = Algorithms.trainer(algorithm, null).fit(data);
      Update plain = Update.of(drift(), Fixtures.USERS, Fixtures.ITEMS);
      double difference = maxScoreDifference(updated(trained, plain), updated(trained, plain.withReplay(past)));
      if (algorithm.equals("bpr")) {
        assertThat(difference).as("bpr with and without replay").isGreaterThan(1e-3);
      } else {
        assertThat(difference).as("%s with and without replay", algorithm).isZero();
      }
    }
  }

  @Test
  void aTeacherWithoutDistillationChangesNothingAndWithItChangesTheUpdate() {
    Dataset data = Fixtures.implicitCheckerboard(1);
    Recommender trained = Algorithms.trainer("bpr", null).fit(data);
    Recommender teacher = Algorithms.trainer("bpr", null).fit(Fixtures.implicitCheckerboard(2));
    Update plain = Update.of(drift(), Fixtures.USERS, Fixtures.ITEMS);
    assertThat(maxScoreDifference(updated(trained, plain), updated(trained, plain.withTeacher(teacher)))).isZero();
    Update distilling = plain.withStability(new Stability(0f, false, 5f, 10));
    assertThat(maxScoreDifference(updated(trained, distilling), updated(trained, distilling.withTeacher(teacher))))
        .isGreaterThan(1e-3);
  }
}
