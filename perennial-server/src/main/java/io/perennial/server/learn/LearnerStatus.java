package io.perennial.server.learn;

/**
 * What the learner is doing, for {@code GET /v1/learner} and the dashboard.
 *
 * @param strategy strategy name
 * @param algorithm model type
 * @param offset offset of the last event applied
 * @param lagEvents stored events not applied yet
 * @param lagSeconds age of the oldest unapplied event (0 when caught up)
 * @param updatesAccepted updates that went live
 * @param updatesRejected updates the divergence guard or gate rejected
 * @param eventsApplied events applied since start
 * @param prequentialHr10 HR@10 of the served model on the sampled events it was tested on (recent window)
 * @param prequentialTests sampled events in that window
 * @param retraining whether a background retrain is running
 * @param lastCheckpointMillis how long the last scheduled checkpoint took to write and register
 * @param visibility delays from an event's commit to its being live in the served model, since the
 *     learner first caught up after starting
 * @param lastError the last failure of the learner, or {@code null}
 */
public record LearnerStatus(String strategy, String algorithm, long offset, long lagEvents, double lagSeconds,
    long updatesAccepted, long updatesRejected, long eventsApplied, double prequentialHr10, int prequentialTests,
    boolean retraining, long lastCheckpointMillis, DelayRecorder.Visibility visibility, String lastError) {}
