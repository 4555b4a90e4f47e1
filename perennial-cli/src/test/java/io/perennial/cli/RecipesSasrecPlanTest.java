package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** SASRec's recipes in {@code perennial recipes}: deepening stages and the augmentation override. */
class RecipesSasrecPlanTest {

  @Test
  void sasrecGetsDeepeningAndAugmentationVariants() {
    Recipes.Plan plan = Recipes.variants(List.of("progressive", "augment"), "sasrec", null, null,
        Json.object().put("epochs", 10));
    assertThat(plan.skipped()).isEmpty();
    assertThat(plan.variants()).extracting(Recipes.Variant::label)
        .containsExactly("deepen 1→2 blocks", "crop,mask,reorder + contrastive 0.1");
    assertThat(plan.variants().get(0).override().toString())
        .isEqualTo("{\"progressive\":{\"blocks\":[1],\"deepenAt\":[5]}}");
    // every override is a config the trainer accepts
    for (Recipes.Variant v : plan.variants()) {
      io.perennial.model.Algorithms.trainer("sasrec", v.override().deepCopy().put("epochs", 10));
    }
  }

  @Test
  void deepeningNeedsAnExplicitEpochCount() {
    Recipes.Plan plan = Recipes.variants(List.of("progressive"), "sasrec", null, null, null);
    assertThat(plan.variants()).isEmpty();
    assertThat(plan.skipped()).singleElement().extracting(Recipes.Skipped::reason).asString().contains("\"epochs\"");
  }

  @Test
  void sasrecGetsEveryCurriculumAndTheOneGiven() {
    Recipes.Plan plan = Recipes.variants(List.of("curriculum"), "sasrec", null, null, Json.object().put("epochs", 10));
    assertThat(plan.skipped()).isEmpty();
    assertThat(plan.variants()).extracting(Recipes.Variant::label).containsExactly("popularity:root", "activity:root",
        "self-paced:root", "teacher:root", "anti-popularity:root");
    for (Recipes.Variant v : plan.variants()) {
      io.perennial.model.sasrec.SasrecTrainer trainer = (io.perennial.model.sasrec.SasrecTrainer)
          io.perennial.model.Algorithms.trainer("sasrec", v.override().deepCopy().put("epochs", 10));
      assertThat(trainer.config().curriculum()).as(v.label()).isNotNull();
    }
    assertThat(plan.variants().get(4).override().get("curriculum").get("anti").asBoolean()).isTrue();
    Recipes.Plan one = Recipes.variants(List.of("curriculum"), "sasrec", "self-paced:linear:0.5:3", null, null);
    assertThat(one.variants()).singleElement().extracting(v -> v.override().get("curriculum").toString()).asString()
        .contains("\"scorer\":\"self-paced\"", "\"pacing\":\"linear\"", "\"start\":0.5", "\"fullAt\":3");
  }

  @Test
  void aCurriculumListRunsInTheOrderGiven() {
    Recipes.Plan plan = Recipes.variants(List.of("curriculum"), "sasrec", "self-paced:root,popularity:step:0.5", null,
        null);
    assertThat(plan.variants()).extracting(Recipes.Variant::label).containsExactly("self-paced:root", "popularity:step:0.5");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> Recipes.variants(List.of("curriculum"), "sasrec", "popularity:root,", null, null))
        .isInstanceOf(UserException.class).hasMessageContaining("--curriculum");
  }
}
