package io.perennial.continual;

import io.perennial.data.InteractionType;

/**
 * One event of an ordered stream.
 *
 * @param offset position in the stream, strictly increasing from 0
 * @param user dense user index (assigned in order of first appearance)
 * @param item dense item index (assigned in order of first appearance)
 * @param value rating or weight
 * @param timestamp epoch seconds
 * @param type kind of behaviour
 */
public record StreamEvent(long offset, int user, int item, float value, long timestamp, InteractionType type) {}
