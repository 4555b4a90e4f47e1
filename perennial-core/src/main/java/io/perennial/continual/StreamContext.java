package io.perennial.continual;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.InteractionLog;
import io.perennial.data.ReadReport;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.TrainingOptions;
import java.util.List;
import java.util.Map;

/**
 * What the strategies share while a stream runs: the algorithm to train, every event learned so
 * far (in stream order), and the ids the stream has shown. The evaluator appends each event before
 * handing it to the strategy.
 */
public final class StreamContext {

  private final String algorithm;
  private final JsonNode config;
  private final IdIndex allUsers;
  private final IdIndex allItems;
  private final InteractionLog seen = new InteractionLog(1 << 16);
  private int userBound;
  private int itemBound;
  private java.util.function.UnaryOperator<io.perennial.model.Trainer> trainerWrap =
      java.util.function.UnaryOperator.identity();

  /**
   * @param universe the stream's dataset (in stream order); only the ids of events already seen are
   *     ever given to a model
   */
  public StreamContext(String algorithm, JsonNode config, Dataset universe) {
    this(algorithm, config, universe.users(), universe.items());
  }

  /**
   * A context over id indices that grow while the stream runs (a server's): the caller assigns
   * each new id before recording its first event.
   */
  public StreamContext(String algorithm, JsonNode config, IdIndex users, IdIndex items) {
    this.algorithm = algorithm;
    this.config = config;
    this.allUsers = users;
    this.allItems = items;
  }

  /**
   * Trains every model through {@code wrap} around the algorithm's trainer (e.g. a warm start from a
   * pretrained model, so the stream starts from it and each retrain does too). Returns this.
   */
  public StreamContext withTrainer(java.util.function.UnaryOperator<io.perennial.model.Trainer> wrap) {
    this.trainerWrap = wrap;
    return this;
  }

  /** Notes ids the model already holds (a restored checkpoint) without recording events. */
  public void coverIds(int users, int items) {
    userBound = Math.max(userBound, users);
    itemBound = Math.max(itemBound, items);
  }

  public String algorithm() {
    return algorithm;
  }

  /** Appends an event to the history every strategy can retrain from. */
  public void record(StreamEvent e) {
    seen.add(e.user(), e.item(), e.value(), e.timestamp(), e.type());
    userBound = Math.max(userBound, e.user() + 1);
    itemBound = Math.max(itemBound, e.item() + 1);
  }

  /** Every event recorded so far, in stream order. Do not modify. */
  public InteractionLog seen() {
    return seen;
  }

  public int userBound() {
    return userBound;
  }

  public int itemBound() {
    return itemBound;
  }

  /** A fresh model trained from scratch on the last {@code window} events (0 = all). */
  public Recommender trainFromScratch(int window) {
    int from = window <= 0 ? 0 : Math.max(0, seen.size() - window);
    int[] indices = java.util.stream.IntStream.range(from, seen.size()).toArray();
    return trainerWrap.apply(Algorithms.trainer(algorithm, config))
        .fit(datasetOf(seen.select(indices)), TrainingOptions.silent());
  }

  /** A dataset over the ids seen so far holding {@code log}. */
  public Dataset datasetOf(InteractionLog log) {
    IdIndex users = IdIndex.of(allUsers.ids().subList(0, userBound));
    IdIndex items = IdIndex.of(allItems.ids().subList(0, itemBound));
    return new Dataset(users, items, log, new ReadReport(log.size(), log.size(), Map.of(), 0, 0, List.of()));
  }
}
