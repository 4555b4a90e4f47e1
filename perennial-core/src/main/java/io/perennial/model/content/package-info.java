/**
 * Content models and cold start: items as content vectors ({@link ItemFeatures}, built by {@link
 * ContentFeatures} from an item catalogue and optional text embeddings), the {@code content} model
 * (a user is the recency-weighted mean of their items' vectors), the {@code random} baseline, and
 * the {@code hybrid} model (a ridge map from content to any {@link io.perennial.model.VectorRetrieval}
 * model's item vectors, so a cold item is recommendable from its metadata alone).
 *
 * <p>Text embeddings come from outside core (the perennial-content encoder, through the CLI) as a
 * {@link TextVectors}, so core never depends on the encoder module.
 */
package io.perennial.model.content;
