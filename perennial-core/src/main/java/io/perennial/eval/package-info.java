/**
 * Offline evaluation: rating and ranking metrics, the splitters behind {@code --protocol}, and the
 * {@link io.perennial.eval.Evaluator} that trains on each split and scores the held-out part.
 */
package io.perennial.eval;
