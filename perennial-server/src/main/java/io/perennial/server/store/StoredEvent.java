package io.perennial.server.store;

import io.perennial.data.InteractionType;

/**
 * An event as the store holds it.
 *
 * @param offset the store's sequence number: strictly increasing, never reused
 * @param user external user id
 * @param item external item id
 * @param type kind of behaviour
 * @param value rating or weight
 * @param timestamp event time, epoch seconds
 * @param receivedMillis when the store committed it, epoch milliseconds
 */
public record StoredEvent(long offset, String user, String item, InteractionType type, float value, long timestamp,
    long receivedMillis) {}
