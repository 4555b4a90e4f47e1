package io.perennial.eval;

import io.perennial.data.InteractionLog;

/**
 * One train/test partition over a shared id space.
 *
 * @param name e.g. {@code fold 2/5}
 */
public record Split(String name, InteractionLog train, InteractionLog test) {}
