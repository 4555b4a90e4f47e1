package io.perennial.continual;

import java.util.List;

/**
 * What one strategy achieved on one stream.
 *
 * @param strategy strategy name
 * @param hitRate HR@K over every tested event after the warm-up
 * @param ndcg NDCG@K over the same events (one relevant item per event)
 * @param recall Recall@K (equal to HR@K with one relevant item per event)
 * @param tested events tested (the user had been seen before)
 * @param updateCpuSeconds CPU time spent in updates after the first model (this thread and the
 *     engine's workers; per-event updates estimated from a sample, {@link UpdateStats#PER_EVENT_SAMPLE})
 * @param updateWallSeconds wall time spent in updates
 * @param initialCpuSeconds CPU time of the first model's training on the warm-up (every strategy's)
 * @param accepted updates that went live
 * @param rejected updates rejected (gate or divergence guard)
 * @param rejections the logged reasons, with figures
 * @param sliceHitRate HR@K per slice of the stream after the warm-up
 * @param sliceNdcg NDCG@K per slice
 * @param sliceCpuSeconds cumulative update CPU at the end of each slice
 * @param sliceEndTimestamp stream time at the end of each slice
 * @param probeBefore forgetting-probe AUC right after the warm-up
 * @param probeSeries probe AUC at the end of each slice
 * @param forgettingDrop {@code (probeBefore - probe at the end) / probeBefore}
 * @param users users in the live model's tables at the end
 * @param items items in the live model's tables at the end
 * @param lastOffset the last offset the strategy learned
 */
public record PrequentialResult(
    String strategy,
    double hitRate,
    double ndcg,
    double recall,
    long tested,
    double updateCpuSeconds,
    double updateWallSeconds,
    double initialCpuSeconds,
    int accepted,
    int rejected,
    List<String> rejections,
    double[] sliceHitRate,
    double[] sliceNdcg,
    double[] sliceCpuSeconds,
    long[] sliceEndTimestamp,
    double probeBefore,
    double[] probeSeries,
    double forgettingDrop,
    int users,
    int items,
    long lastOffset) {}
