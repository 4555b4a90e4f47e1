package io.perennial.server.store;

import java.util.Map;

/**
 * One registered model.
 *
 * @param version registry version, increasing
 * @param algorithm model type ({@code bpr}, {@code ials}, …)
 * @param kind how it was made: {@code initial}, {@code checkpoint} (the learner's running model),
 *     {@code retrain} or {@code activation}
 * @param parent version it was updated from ({@code null} for a fresh training)
 * @param lastOffset offset of the last event it learned (-1 when none)
 * @param created ISO-8601 instant
 * @param metrics evaluation figures at creation (may be empty)
 */
public record ModelVersion(long version, String algorithm, String kind, Long parent, long lastOffset, String created,
    Map<String, Double> metrics) {}
