package io.perennial.model.sasrec;

import io.perennial.model.UserHistory;
import io.perennial.nn.DataParallel;
import io.perennial.nn.Embedding;
import io.perennial.nn.ParameterOptimizer;
import io.perennial.optim.LearningRateSchedule;
import io.perennial.optim.OptimizerConfig;
import io.perennial.optim.OptimizerKind;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Gradient steps on batches of training windows, shared by training, fine-tuning and online
 * learning: fills each worker's workspace with its contiguous share of the batch (left-padded to
 * the batch's longest window), runs forward, loss and backward on {@link DataParallel}'s workers,
 * reduces once and takes one Adam step. Every random draw (negatives, dropout) is a function of
 * the seed, the step number and the window's place in the batch, so a step does not depend on how
 * the batch is split, and training is deterministic for a seed and a worker count.
 */
final class SasrecSteps implements AutoCloseable {

  /**
   * Items {@code items[start .. end)} are the input, {@code items[start+1 .. end+1)} the targets
   * (the newest input's target is {@code items[end]} when {@code end < items.length}, none
   * otherwise). {@code newestOnly}: only the newest input's target counts (an online step on the
   * event just seen, whose earlier positions were learnt before).
   */
  record Window(int user, int[] items, int start, int end, boolean newestOnly) {
    /** A window whose every position with a next item is a target. */
    Window(int user, int[] items, int start, int end) {
      this(user, items, start, end, false);
    }

    int length() {
      return end - start;
    }
  }

  private final SasrecNetwork network;
  private final SasrecConfig config;
  private final DataParallel parallel;
  private final SasrecNetwork.Workspace[] workspaces;
  private final ParameterOptimizer optimizer;
  private final UserHistory history;
  private final int perWorker;
  private final int[] negatives;
  private final double[] losses;
  private int itemCount;
  private SasrecNetwork teacher;
  private SasrecNetwork.Workspace[] teacherWorkspaces;
  private float distillation;
  /** The contrastive auxiliary loss (CL4SRec), or null: see {@link #contrastWith}. */
  private Contrast contrast;

  /**
   * What the contrastive loss needs per step: the augmentation, the two views of each window
   * (rows {@code i} and {@code i + B}), a workspace per worker for its share of the {@code 2B}
   * views, and the views' final states and their gradient.
   */
  private static final class Contrast {
    final SequenceAugmentation augmentation;
    final List<SequenceAugmentation.Operator> operators;
    final float weight;
    final float temperature;
    final SasrecNetwork.Workspace[] workspaces;
    final int[][] views;
    final float[] states;
    final float[] gradient;

    Contrast(SequenceAugmentation augmentation, List<SequenceAugmentation.Operator> operators, float weight,
        float temperature, SasrecNetwork.Workspace[] workspaces, int maxViews, int channels) {
      this.augmentation = augmentation;
      this.operators = operators;
      this.weight = weight;
      this.temperature = temperature;
      this.workspaces = workspaces;
      this.views = new int[maxViews][];
      this.states = new float[maxViews * channels];
      this.gradient = new float[maxViews * channels];
    }
  }

  /**
   * @param maxBatch the largest batch {@link #step} will be given
   * @param warmupSteps linear warm-up of the learning rate (0 = none)
   * @param history for BCE, items a user has and which are therefore no negatives
   */
  SasrecSteps(SasrecNetwork network, SasrecConfig config, int maxBatch, int warmupSteps, UserHistory history,
      int itemCount) {
    this.network = network;
    this.config = config;
    int workers = Math.max(1, Math.min(config.threads(), maxBatch));
    this.parallel = new DataParallel(network.params(), workers);
    this.perWorker = (maxBatch + workers - 1) / workers;
    this.workspaces = new SasrecNetwork.Workspace[workers];
    for (int w = 0; w < workers; w++) {
      workspaces[w] = network.workspace(perWorker, true, config.negatives());
    }
    LearningRateSchedule schedule = warmupSteps > 0
        ? new LearningRateSchedule.LinearWarmup(warmupSteps, LearningRateSchedule.constant())
        : LearningRateSchedule.constant();
    // β₂ = 0.98 as in the reference implementation; weight decay decoupled (AdamW)
    OptimizerConfig adam = new OptimizerConfig(OptimizerKind.ADAM, config.learningRate(), 0.9f, 0.9f, 0.98f, 1e-8f,
        0f, config.weightDecay(), 0f, 0f, schedule);
    this.optimizer = new ParameterOptimizer(network.params(), adam, config.maxGradNorm());
    this.history = history;
    this.negatives = new int[config.negatives()];
    this.losses = new double[workers];
    this.itemCount = itemCount;
  }

  SasrecNetwork network() {
    return network;
  }

  /**
   * From now on every step also distils from {@code earlier} with this weight (see {@link
   * SasrecNetwork#distillationLoss}); the teacher is only read.
   */
  void distilFrom(SasrecNetwork earlier, float weight) {
    teacher = earlier;
    distillation = weight;
    teacherWorkspaces = new SasrecNetwork.Workspace[workspaces.length];
    for (int w = 0; w < workspaces.length; w++) {
      teacherWorkspaces[w] = earlier.workspace(perWorker, true, config.negatives());
    }
  }

  /**
   * From now on every step adds CL4SRec's contrastive loss (Xie et al., ICDE 2022): each window's
   * input gives two views, each by an operator drawn from {@code operators}; the batch's {@code 2B}
   * views run through the network (training mode, their own dropout masks), and NT-Xent ({@link
   * ContrastiveLoss}) over their final states, times {@code weight}, is backpropagated through it
   * together with the next-item loss. The views are drawn from the seed, the step and the window's
   * place in the batch, so they do not depend on the worker count.
   */
  void contrastWith(SequenceAugmentation augmentation, List<SequenceAugmentation.Operator> operators, float weight,
      float temperature) {
    SasrecNetwork.Workspace[] views = new SasrecNetwork.Workspace[workspaces.length];
    for (int w = 0; w < views.length; w++) {
      views[w] = network.workspace(2 * perWorker, true, 1);
    }
    contrast = new Contrast(augmentation, operators, weight, temperature, views,
        2 * perWorker * workspaces.length, network.channels());
  }

  /** Items negatives are drawn from: {@code 0 .. count)}. */
  void setItemCount(int count) {
    itemCount = count;
  }

  /** The optimiser of these steps (a warm start's fine-tune scales its learning rates). */
  ParameterOptimizer optimizer() {
    return optimizer;
  }

  /** Learning rate of the coming step. */
  float currentRate() {
    return optimizer.currentRate();
  }

  /**
   * One step on {@code batch.subList(from, to)} (at most the constructor's {@code maxBatch}).
   *
   * @param step the global step number: keys the dropout masks and the negatives
   * @return the mean loss over the batch's target positions
   */
  double step(List<Window> batch, int from, int to, long step) {
    double loss = gradients(batch, from, to, step);
    optimizer.step();
    return loss;
  }

  /**
   * Forward, loss and backward of {@code batch.subList(from, to)}, the gradient (the mean over the
   * batch's target positions) added into the parameter set's, without a step: {@link #step} takes
   * one after it, DP-SGD clips it per example first.
   *
   * @return the mean loss over the batch's target positions
   */
  double gradients(List<Window> batch, int from, int to, long step) {
    int size = to - from;
    if (size > perWorker * workspaces.length) {
      throw new IllegalArgumentException("batch of " + size + " above the " + perWorker * workspaces.length + " sized for");
    }
    int time = 1;
    long rows = 0;
    for (int i = from; i < to; i++) {
      Window w = batch.get(i);
      time = Math.max(time, w.length());
      rows += targets(w);
    }
    if (rows == 0) {
      return 0;
    }
    SplittableRandom stepRandom = new SplittableRandom(mix(config.seed(), step));
    boolean softmax = config.loss() == SasrecConfig.Loss.SOFTMAX;
    // with at least as many negatives as items, every item is one: the full softmax
    int k = Math.min(negatives.length, itemCount);
    if (softmax || teacher != null) {
      for (int j = 0; j < k; j++) {
        negatives[j] = k == itemCount ? j : stepRandom.nextInt(itemCount);
      }
    }
    int t = time;
    long total = rows;
    parallel.run(worker -> {
      int b0 = from + worker * perWorker;
      int b1 = Math.min(to, b0 + perWorker);
      losses[worker] = 0;
      if (b0 >= b1) {
        return;
      }
      SasrecNetwork.Workspace ws = workspaces[worker];
      long chunkRows = fill(ws, batch, b0, b1, t, step, b0 - from);
      network.forward(ws, b1 - b0, t, true, step, b0 - from);
      float weight = (float) ((double) chunkRows / total);
      float[] grads = parallel.grads(worker);
      var touched = parallel.touched(worker, network.itemTable());
      losses[worker] = softmax
          ? network.softmaxLoss(ws, negatives, k, grads, touched, weight)
          : network.bceLoss(ws, grads, touched, weight);
      if (teacher != null) {
        SasrecNetwork.Workspace tws = teacherWorkspaces[worker];
        for (int r = 0; r < (b1 - b0) * t; r++) {
          // an item newer than the teacher reads as an empty position to it
          tws.ids[r] = ws.ids[r] < teacher.items() ? ws.ids[r] : Embedding.PADDING;
        }
        System.arraycopy(ws.lengths, 0, tws.lengths, 0, b1 - b0);
        teacher.forward(tws, b1 - b0, t, false, 0, 0);
        losses[worker] += network.distillationLoss(ws, teacher, tws, negatives, k, grads, touched,
            weight * distillation) * distillation;
      }
      network.backward(ws, grads, touched);
    });
    double contrastive = contrast != null && size >= 2 ? contrastiveGradients(batch, from, to, step) : 0;
    parallel.reduce();
    double sum = 0;
    for (double l : losses) {
      sum += l;
    }
    return sum / rows + contrast(contrastive);
  }

  private double contrast(double loss) {
    return contrast == null ? 0 : contrast.weight * loss;
  }

  /** Salt of the views' random streams and dropout keys, apart from the next-item pass's. */
  private static final long VIEW_SALT = 0xC145EC0L;

  /**
   * The contrastive loss of the batch's views, its gradient (times the weight) backpropagated into
   * the workers' gradients; returns the unweighted NT-Xent loss. Views are split over the workers
   * in contiguous shares, all padded to the longest view (so a view's dropout mask does not depend
   * on the split).
   */
  private double contrastiveGradients(List<Window> batch, int from, int to, long step) {
    Contrast cl = contrast;
    int size = to - from;
    int rows = 2 * size;
    int time = 1;
    long viewStep = mix(config.seed() ^ VIEW_SALT, step);
    for (int i = 0; i < size; i++) {
      Window w = batch.get(from + i);
      int first = config.contrastiveLength() == 0 ? w.start() : Math.max(w.start(), w.end() - config.contrastiveLength());
      int[] input = java.util.Arrays.copyOfRange(w.items(), first, w.end());
      SplittableRandom random = new SplittableRandom(mix(viewStep, i));
      cl.views[i] = cl.augmentation.randomView(cl.operators, input, random);
      cl.views[size + i] = cl.augmentation.randomView(cl.operators, input, random);
      time = Math.max(time, Math.max(cl.views[i].length, cl.views[size + i].length));
    }
    int perViews = 2 * perWorker;
    int c = network.channels();
    int t = time;
    parallel.run(worker -> {
      int v0 = worker * perViews;
      int v1 = Math.min(rows, v0 + perViews);
      if (v0 >= v1) {
        return;
      }
      SasrecNetwork.Workspace ws = cl.workspaces[worker];
      for (int v = v0; v < v1; v++) {
        int b = v - v0;
        int[] view = cl.views[v];
        int pad = t - view.length;
        java.util.Arrays.fill(ws.ids, b * t, b * t + pad, Embedding.PADDING);
        System.arraycopy(view, 0, ws.ids, b * t + pad, view.length);
        ws.lengths[b] = view.length;
      }
      network.forward(ws, v1 - v0, t, true, viewStep, v0);
      for (int v = v0; v < v1; v++) {
        ws.lastState(v - v0, cl.states, v * c);
      }
    });
    java.util.Arrays.fill(cl.gradient, 0, rows * c, 0f);
    double loss = ContrastiveLoss.loss(cl.states, rows, c, cl.temperature, cl.gradient);
    parallel.run(worker -> {
      int v0 = worker * perViews;
      int v1 = Math.min(rows, v0 + perViews);
      if (v0 >= v1) {
        return;
      }
      SasrecNetwork.Workspace ws = cl.workspaces[worker];
      java.util.Arrays.fill(ws.dHidden, 0, (v1 - v0) * t * c, 0f);
      for (int v = v0; v < v1; v++) {
        // only the newest position's state enters the loss
        int at = ((v - v0) * t + t - 1) * c;
        for (int j = 0; j < c; j++) {
          ws.dHidden[at + j] = cl.weight * cl.gradient[v * c + j];
        }
      }
      network.backward(ws, parallel.grads(worker), parallel.touched(worker, network.itemTable()));
    });
    return loss;
  }

  private static int targets(Window w) {
    boolean newestHasTarget = w.end() < w.items().length;
    if (w.newestOnly()) {
      return newestHasTarget ? 1 : 0;
    }
    return newestHasTarget ? w.length() : w.length() - 1;
  }

  /** Fills ids, lengths, targets and (BCE) per-position negatives; returns the positions with a target. */
  private long fill(SasrecNetwork.Workspace ws, List<Window> batch, int b0, int b1, int time, long step, int firstRow) {
    long rows = 0;
    boolean bce = config.loss() == SasrecConfig.Loss.BCE;
    for (int b = 0; b < b1 - b0; b++) {
      Window w = batch.get(b0 + b);
      int len = w.length();
      ws.lengths[b] = len;
      int pad = time - len;
      int base = b * time;
      for (int t = 0; t < pad; t++) {
        ws.ids[base + t] = Embedding.PADDING;
        ws.targets[base + t] = Embedding.PADDING;
      }
      SplittableRandom random = bce ? new SplittableRandom(mix(mix(config.seed(), step), firstRow + b)) : null;
      for (int t = 0; t < len; t++) {
        int r = base + pad + t;
        int at = w.start() + t;
        ws.ids[r] = w.items()[at];
        boolean counted = !w.newestOnly() || t == len - 1;
        int target = counted && at + 1 < w.items().length ? w.items()[at + 1] : Embedding.PADDING;
        ws.targets[r] = target;
        if (target != Embedding.PADDING) {
          rows++;
          if (bce) {
            ws.rowNegatives[r] = negative(random, w.user(), target);
          }
        }
      }
    }
    return rows;
  }

  /** A uniform item the user has not interacted with (after 16 tries, any item but the target). */
  private int negative(SplittableRandom random, int user, int target) {
    int j;
    int tries = 0;
    do {
      j = random.nextInt(itemCount);
    } while ((j == target || (user >= 0 && history.contains(user, j))) && ++tries < 16);
    return j == target ? (j + 1) % itemCount : j;
  }

  /** SplitMix64 of {@code a} and {@code b}: independent streams per (seed, step, row). */
  static long mix(long a, long b) {
    long z = a + (b + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public void close() {
    parallel.close();
  }
}
