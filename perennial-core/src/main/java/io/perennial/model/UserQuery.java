package io.perennial.model;

/**
 * What a model needs to rank items for one user: the items the user interacted with (sorted, for
 * exclusion and for neighbourhood models) and, for factor models, the user's vector. Built by
 * {@link Recommender#foldInUser} for a user the model has not stored, or internally for a stored
 * one.
 *
 * @param items sorted dense item indices the user interacted with
 * @param values their values
 * @param vector the user's latent vector, or {@code null} for models without one
 * @param bias the user's bias (0 for models without one)
 */
public record UserQuery(int[] items, float[] values, float[] vector, float bias) {}
