package io.perennial.eval;

import java.util.List;
import java.util.Map;

/**
 * Metrics averaged over the splits, with each split's own figures.
 *
 * @param metrics lower-case metric name → mean over splits ({@code rmse}, {@code ndcg@10}, …)
 * @param perSplit one map per split, in split order
 * @param splitNames names of the splits
 * @param trainSeconds total wall time spent training
 * @param evalSeconds total wall time spent scoring
 * @param usersEvaluated users with at least one relevant test item, summed over splits
 */
public record EvaluationResult(
    Map<String, Double> metrics,
    List<Map<String, Double>> perSplit,
    List<String> splitNames,
    double trainSeconds,
    double evalSeconds,
    long usersEvaluated) {}
