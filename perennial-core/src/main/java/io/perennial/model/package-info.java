/**
 * The {@link io.perennial.model.Recommender} contract and what every algorithm shares: user
 * histories, the popularity fallback, factor-model scoring, model state for checkpoints, and the
 * {@link io.perennial.model.Algorithms} registry that builds trainers by name. One sub-package per
 * algorithm holds its {@code …Trainer}, {@code …Model} and {@code …Config}.
 *
 * <p>Concurrency rule: reads ({@code score}, {@code recommend}, {@code similarItems}, {@code
 * foldInUser}) may run concurrently with each other. {@code partialFit} is a write: it must not run
 * concurrently with reads or other writes on the same instance; a server updates a copy and swaps
 * it in (see the continual-learning engine).
 */
package io.perennial.model;
