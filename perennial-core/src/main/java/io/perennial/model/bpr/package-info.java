/**
 * Bayesian Personalised Ranking over matrix factorisation (Rendle et al., "BPR: Bayesian
 * Personalized Ranking from Implicit Feedback", UAI 2009): maximise {@code ln σ(x̂_ui - x̂_uj)} over
 * sampled (user, positive, negative) triples, with uniform or popularity-aware negatives, trained by
 * lock-free parallel SGD (Recht et al., "Hogwild!", NIPS 2011).
 */
package io.perennial.model.bpr;
