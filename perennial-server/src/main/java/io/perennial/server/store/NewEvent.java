package io.perennial.server.store;

import io.perennial.data.InteractionType;

/**
 * An event as a client sent it, already validated.
 *
 * @param eventId client-chosen id for idempotency ({@code null} when none was given)
 * @param user external user id
 * @param item external item id
 * @param type kind of behaviour
 * @param value rating or weight (finite)
 * @param timestamp epoch seconds
 */
public record NewEvent(String eventId, String user, String item, InteractionType type, float value, long timestamp) {}
