/**
 * The data layer: {@link io.perennial.data.Interaction} events, the growable {@link
 * io.perennial.data.IdIndex} mapping external string ids to dense ints, columnar {@link
 * io.perennial.data.InteractionLog}s, CSR matrices, readers with line-numbered errors, dataset
 * statistics and the synthetic generator.
 */
package io.perennial.data;
