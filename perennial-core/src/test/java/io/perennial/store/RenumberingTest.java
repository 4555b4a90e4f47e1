package io.perennial.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenumberingTest {

  private static final Dataset WORLD =
      SyntheticGenerator.generate(SyntheticConfig.defaults().withEvents(3_000).withSeed(2).withSize(80, 120));

  private static Checkpoint trained(String algorithm) {
    var config = new ObjectMapper().createObjectNode();
    if (!algorithm.equals("itemknn")) {
      config.put("factors", 8);
    }
    Recommender model = Algorithms.trainer(algorithm, config).fit(WORLD, TrainingOptions.silent());
    return new Checkpoint(model.state(), WORLD.users(), WORLD.items(), Provenance.ofTraining(1, "test", WORLD));
  }

  @Test
  void aRenumberedModelRecommendsTheSameItemsForEveryUserUnderItsNewIds() {
    Checkpoint original = trained("ials");
    List<String> users = new ArrayList<>(WORLD.users().ids());
    List<String> items = new ArrayList<>(WORLD.items().ids());
    Collections.reverse(users);
    Collections.shuffle(items, new java.util.Random(4));
    users.add(0, "only-in-the-server");
    Checkpoint moved = Renumbering.into(original, users, items);
    assertThat(moved.users().ids().subList(0, users.size())).isEqualTo(users);
    assertThat(moved.users().size()).isEqualTo(users.size());
    Recommender before = Algorithms.restore(original.state());
    Recommender after = Algorithms.restore(moved.state());
    for (int u = 0; u < WORLD.userCount(); u++) {
      Recommendations a = before.recommend(u, 10, true, null);
      Recommendations b = after.recommend(moved.users().indexOf(original.users().idOf(u)), 10, true, null);
      List<String> expected = new ArrayList<>();
      List<String> actual = new ArrayList<>();
      for (int n = 0; n < a.ids().length; n++) {
        expected.add(original.items().idOf(a.ids()[n]));
        actual.add(moved.items().idOf(b.ids()[n]));
      }
      assertThat(actual).as("user %s", original.users().idOf(u)).isEqualTo(expected);
    }
    Recommendations stranger = after.recommend(0, 5, true, null);
    assertThat(stranger.fallback()).as("a user the model never saw gets the popularity fallback").isTrue();
  }

  @Test
  void onlyFactorModelsCanBeRenumbered() {
    Checkpoint knn = trained("itemknn");
    assertThatThrownBy(() -> Renumbering.into(knn, List.of(), List.of()))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("itemknn model cannot be renumbered");
  }
}
