/**
 * The deep-layer kit: hand-written forward and backward passes on {@link io.perennial.kernel}, in
 * the manner of llm.c.
 *
 * <p>Parameters of a model live in one {@link io.perennial.nn.ParameterSet}: a contiguous {@code
 * float[]} with named {@link io.perennial.nn.Tensor} views and a twin gradient array of the same
 * layout; embedding tables record their touched rows ({@link io.perennial.nn.RowSet}) so zeroing
 * and the optimiser step ({@link io.perennial.nn.ParameterOptimizer}, over {@code optim}) cost the
 * touched rows only.
 *
 * <p>Layers are small final classes ({@link io.perennial.nn.Linear}, {@link
 * io.perennial.nn.Embedding}, {@link io.perennial.nn.LayerNorm}, {@link
 * io.perennial.nn.FeedForward}, {@link io.perennial.nn.Dropout}) or stateless functions ({@link
 * io.perennial.nn.Activation} ReLU/GELU, {@link io.perennial.nn.Residual}, {@link
 * io.perennial.nn.Losses}). A layer object holds only what never changes: its parameter views and
 * dimensions. Everything mutable — parameter values, gradients, activations, caches — is passed
 * in as an array and an offset, so one layer object serves every thread (each with its own
 * activation and gradient buffers, sized once for the largest batch) and nothing is allocated per
 * step. Each layer has {@code forward} and {@code backward} side by side; backward accumulates
 * ({@code +=}) into gradients and quotes the forward formula it differentiates.
 *
 * <p>Shape letters: BT rows (batch × time, flattened), C channels, OC output channels, FC the
 * feed-forward width, V vocabulary, K sampled negatives, N any flat length.
 *
 * <p>Depends on {@code kernel} and {@code optim} only.
 */
package io.perennial.nn;
