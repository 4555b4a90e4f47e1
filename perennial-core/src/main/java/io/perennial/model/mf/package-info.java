/**
 * Biased matrix factorisation for explicit ratings, trained by SGD (Koren, Bell and Volinsky,
 * "Matrix Factorization Techniques for Recommender Systems", IEEE Computer 2009):
 * {@code r̂_ui = μ + b_u + b_i + p_u · q_i}, minimising squared error plus L2 penalties.
 */
package io.perennial.model.mf;
