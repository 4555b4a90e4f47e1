/**
 * Optimisers for embedding tables: SGD, Momentum/Nesterov, Adagrad, RMSprop and Adam, each with a
 * lazy per-row update (only rows that received a gradient change, as embedding training needs) and
 * a dense step; L2 and decoupled weight decay; gradient clipping by value and by norm; learning-rate
 * schedules.
 *
 * <p>Call order: construct with the table shape → {@link io.perennial.optim.Optimizer#updateRow}
 * for each touched row (any number of times) → {@link io.perennial.optim.Optimizer#advance()} at
 * the end of each step or epoch, which moves the learning-rate schedule on.
 */
package io.perennial.optim;
