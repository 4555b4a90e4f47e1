/**
 * NeuMF (He et al., "Neural Collaborative Filtering", WWW 2017): a GMF and an MLP tower over user
 * and item embeddings fused by a final layer, trained with point-wise BCE on sampled negatives, on
 * the layer kit {@link io.perennial.nn}. Serving retrieves candidates by the GMF dot product and
 * re-ranks them with the full network.
 */
package io.perennial.model.neumf;
