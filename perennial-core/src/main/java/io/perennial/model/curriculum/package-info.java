/**
 * Curriculum learning for the SGD-trained models: a {@link io.perennial.model.curriculum.DifficultyScorer}
 * ranks the training examples (user–item interactions) from easy to hard, a {@link
 * io.perennial.model.curriculum.Pacing} function says which share of them an epoch trains on, and a
 * {@link io.perennial.model.curriculum.Curriculum} turns both into the examples of each epoch (Bengio
 * et al., "Curriculum learning", ICML 2009; competence-based pacing after Platanios et al., NAACL 2019;
 * self-paced learning after Kumar et al., NIPS 2010). Depends on nothing but the JDK, so every model
 * package may use it.
 */
package io.perennial.model.curriculum;
