package io.perennial.model;

import io.perennial.data.Dataset;
import io.perennial.data.InteractionLog;
import java.util.SplittableRandom;

/**
 * The shared contract on SASRec. The checkerboard's events are timestamped in item order, which
 * to a sequential model is a strong and misleading signal (after item 39 comes item 40, across the
 * blocks); here each user's events are in a random order, so only the blocks carry information.
 */
class SasrecContractTest extends RecommenderContractTest {
  @Override
  protected String algorithm() {
    return "sasrec";
  }

  @Override
  protected Dataset fixture() {
    Dataset board = Fixtures.implicitCheckerboard(1);
    InteractionLog log = board.log();
    SplittableRandom random = new SplittableRandom(7);
    long[] times = new long[log.size()];
    for (int e = 0; e < times.length; e++) {
      times[e] = log.timestamp(e);
    }
    for (int e = times.length - 1; e > 0; e--) {
      int j = random.nextInt(e + 1);
      long t = times[e];
      times[e] = times[j];
      times[j] = t;
    }
    InteractionLog shuffled = new InteractionLog();
    for (int e = 0; e < log.size(); e++) {
      shuffled.add(log.user(e), log.item(e), log.value(e), times[e], log.type(e));
    }
    return board.withLog(shuffled);
  }

  /** The fixture is tiny: 60 epochs of 4 steps learn it. */
  @Override
  protected Trainer trainer() {
    return Algorithms.trainer(algorithm(), new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
        .put("epochs", 60).put("batchSize", 16));
  }
}
