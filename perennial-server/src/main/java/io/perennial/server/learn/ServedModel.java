package io.perennial.server.learn;

import io.perennial.model.Recommender;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The model requests read, with the lock that keeps them from seeing it half-updated: a learner
 * that changes it in place holds the write lock for a short batch of events; readers hold the
 * read lock for one request. A learner that builds a new model swaps in a new {@code ServedModel}
 * instead.
 *
 * @param version registry version this model descends from
 * @param model the model
 * @param lock guards in-place updates
 */
public record ServedModel(long version, Recommender model, ReentrantReadWriteLock lock) {

  public ServedModel(long version, Recommender model) {
    this(version, model, new ReentrantReadWriteLock(true));
  }

  /** Runs {@code read} on the model under the read lock. */
  public <T> T read(Function<Recommender, T> read) {
    lock.readLock().lock();
    try {
      return read.apply(model);
    } finally {
      lock.readLock().unlock();
    }
  }
}
