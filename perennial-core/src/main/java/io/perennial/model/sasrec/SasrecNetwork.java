package io.perennial.model.sasrec;

import io.perennial.kernel.VectorOps;
import io.perennial.nn.Activation;
import io.perennial.nn.CausalSelfAttention;
import io.perennial.nn.Dropout;
import io.perennial.nn.Embedding;
import io.perennial.nn.FeedForward;
import io.perennial.nn.LayerNorm;
import io.perennial.nn.Linear;
import io.perennial.nn.Losses;
import io.perennial.nn.ParameterSet;
import io.perennial.nn.Residual;
import io.perennial.nn.RowSet;
import io.perennial.nn.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * SASRec's network (Kang and McAuley, ICDM 2018) on the layer kit: item embeddings scaled by
 * √d plus learned positional embeddings, dropout, then N pre-LN causal self-attention blocks,
 * and a final LayerNorm; the output at each position is the user state after that item, and
 * {@code score(item) = state · E[item]} with the input table E (shared input and output
 * embeddings, as in the paper).
 *
 * <pre>
 *   x₀ = dropout(√d · E[id_t] + P[T−1−t])                 (0 at padding)
 *   for each block l:
 *     m  = x_l + dropout(Proj(Attention(QKV(LN₁(x_l)))))
 *     x_{l+1} = m + dropout(FFN(LN₂(m)))                    FFN = Linear₂(dropout(f(Linear₁)))
 *   h = LN_final(x_N)
 * </pre>
 *
 * <p>Sequences are left-padded to the batch's T, the newest item at {@code T−1}; the positional
 * embedding counts back from the newest item ({@code P[0]} is the newest), so a sequence gets the
 * same positions whatever T its batch has, and batches can be as long as their longest sequence.
 * The attention computes only each sequence's valid suffix; padding rows of the other layers are
 * computed but never read by a real position and get no gradient.
 *
 * <p>The network holds its parameters and nothing mutable besides them; every activation lives in
 * a {@link Workspace} (one per thread), every gradient in an array the caller passes.
 */
public final class SasrecNetwork {

  /** The name of the item embedding table (shared by the input and the output). */
  public static final String ITEM_TABLE = "item_embedding";
  /** The name of the positional embedding. */
  public static final String POSITIONS = "position_embedding";

  private final int items;
  private final int c;
  private final int blocks;
  private final int heads;
  private final int maxLength;
  private final float inputScale;
  private final ParameterSet params;
  private final Embedding itemEmbedding;
  private final Tensor positions;
  private final LayerNorm[] attentionNorm;
  private final Linear[] qkv;
  private final Linear[] projection;
  private final LayerNorm[] ffnNorm;
  private final FeedForward[] ffn;
  private final LayerNorm finalNorm;
  private final Dropout dropout;

  /**
   * @param items rows of the item table
   * @param channels d
   * @param maxLength rows of the positional table, the longest sequence read
   */
  public SasrecNetwork(int items, int channels, int blocks, int heads, int maxLength, float dropoutRate,
      Activation activation, long seed) {
    if (items < 1 || maxLength < 1) {
      throw new IllegalArgumentException("SASRec needs at least one item and maxLength >= 1, got "
          + items + " and " + maxLength);
    }
    this.items = items;
    this.c = channels;
    this.blocks = blocks;
    this.heads = heads;
    this.maxLength = maxLength;
    this.inputScale = (float) Math.sqrt(channels);
    this.dropout = new Dropout(dropoutRate, seed ^ 0xD1B54A32D192ED03L);
    ParameterSet.Builder b = ParameterSet.builder();
    itemEmbedding = new Embedding(b, ITEM_TABLE, items, channels);
    positions = b.dense(POSITIONS, true, maxLength, channels);
    attentionNorm = new LayerNorm[blocks];
    qkv = new Linear[blocks];
    projection = new Linear[blocks];
    ffnNorm = new LayerNorm[blocks];
    ffn = new FeedForward[blocks];
    for (int l = 0; l < blocks; l++) {
      String p = "block" + l;
      attentionNorm[l] = new LayerNorm(b, p + ".attention_norm", channels);
      qkv[l] = new Linear(b, p + ".qkv", channels, 3 * channels, true);
      projection[l] = new Linear(b, p + ".projection", channels, channels, true);
      ffnNorm[l] = new LayerNorm(b, p + ".ffn_norm", channels);
      // the paper's point-wise feed-forward keeps the width d in its hidden layer
      ffn[l] = new FeedForward(b, p + ".ffn", channels, channels, activation, dropout);
    }
    finalNorm = new LayerNorm(b, "final_norm", channels);
    params = b.build();
    SplittableRandom random = new SplittableRandom(seed);
    // Xavier-normal tables as in the reference implementation
    params.normal(itemEmbedding.table(), tableStd(items, channels), random);
    params.normal(positions, tableStd(maxLength, channels), random);
    for (int l = 0; l < blocks; l++) {
      attentionNorm[l].init(params);
      qkv[l].init(params, random);
      projection[l].init(params, random);
      ffnNorm[l].init(params);
      ffn[l].init(params, random);
    }
    finalNorm.init(params);
  }

  /**
   * The layer names {@code --fine-tune freeze:} takes, each to the parameter names it stands for:
   * {@code items}, {@code positions}, {@code embeddings} (both), {@code attention} (every block's
   * attention norm, QKV and output projection), {@code ffn} (every block's FFN norm and feed-forward
   * layers), {@code final_norm}, and {@code block0 … block(L-1)}.
   */
  public static java.util.Map<String, java.util.List<String>> layerGroups(ParameterSet params) {
    java.util.Map<String, java.util.List<String>> groups = new java.util.LinkedHashMap<>();
    groups.put("items", java.util.List.of(ITEM_TABLE));
    groups.put("positions", java.util.List.of(POSITIONS));
    groups.put("embeddings", java.util.List.of(ITEM_TABLE, POSITIONS));
    java.util.List<String> attention = new java.util.ArrayList<>();
    java.util.List<String> ffn = new java.util.ArrayList<>();
    java.util.Map<String, java.util.List<String>> blocks = new java.util.LinkedHashMap<>();
    for (Tensor t : params.tensors()) {
      String n = t.name();
      if (!n.startsWith("block")) {
        continue;
      }
      String block = n.substring(0, n.indexOf('.'));
      blocks.computeIfAbsent(block, b -> new java.util.ArrayList<>()).add(n);
      String layer = n.substring(block.length() + 1);
      if (layer.startsWith("attention_norm.") || layer.startsWith("qkv.") || layer.startsWith("projection.")) {
        attention.add(n);
      } else {
        ffn.add(n);
      }
    }
    groups.put("attention", attention);
    groups.put("ffn", ffn);
    groups.put("final_norm", java.util.List.of("final_norm.weight", "final_norm.bias"));
    groups.putAll(blocks);
    return groups;
  }

  /** Xavier normal: std √(2 / (fan_in + fan_out)). */
  static float tableStd(int rows, int cols) {
    return (float) Math.sqrt(2.0 / (rows + cols));
  }

  public ParameterSet params() {
    return params;
  }

  public Tensor itemTable() {
    return itemEmbedding.table();
  }

  public int items() {
    return items;
  }

  public int channels() {
    return c;
  }

  public int blocks() {
    return blocks;
  }

  public int heads() {
    return heads;
  }

  /** Parameters of the item and positional tables: {@code (items + maxLength) · d}. */
  public long embeddingParameters() {
    return (long) (items + maxLength) * c;
  }

  /** Every parameter: the embeddings plus the blocks' layers and the final LayerNorm. */
  public long parameterCount() {
    return params.size();
  }

  public int maxLength() {
    return maxLength;
  }

  /** Offset of item {@code i}'s embedding row in {@link ParameterSet#values()}. */
  public int itemRow(int i) {
    return itemEmbedding.table().offset() + i * c;
  }

  /**
   * A copy of this network with an item table of {@code newItems ≥ items()} rows: every parameter
   * is copied, the new item rows are drawn as at initialisation from {@code random}.
   */
  public SasrecNetwork withItems(int newItems, Activation activation, float dropoutRate, long seed,
      SplittableRandom random) {
    if (newItems < items) {
      throw new IllegalArgumentException("the item table cannot shrink: " + items + " → " + newItems);
    }
    SasrecNetwork grown = new SasrecNetwork(newItems, c, blocks, heads, maxLength, dropoutRate, activation, seed);
    float[] to = grown.params.values();
    float[] from = params.values();
    for (Tensor t : params.tensors()) {
      Tensor target = grown.params.tensor(t.name());
      System.arraycopy(from, t.offset(), to, target.offset(), t.size());
    }
    float std = tableStd(newItems, c);
    Tensor table = grown.itemTable();
    for (int i = table.offset() + items * c; i < table.offset() + newItems * c; i++) {
      to[i] = (float) (random.nextGaussian() * std);
    }
    io.perennial.nn.PruneMask.carryOver(params, grown.params);
    return grown;
  }

  /** A workspace for batches of up to {@code maxBatch} sequences; {@code training}: with backward buffers. */
  public Workspace workspace(int maxBatch, boolean training, int negatives) {
    return new Workspace(maxBatch, training, negatives);
  }

  /**
   * Everything one thread needs for forward and backward passes over up to {@code maxBatch ×
   * maxLength} positions, allocated once. Fill {@link #ids} ({@code (B, T)} row-major, left-padded
   * with {@link Embedding#PADDING}) and {@link #lengths} ({@code (B)}), then call {@link #forward}.
   */
  public final class Workspace {
    /** Item ids (B, T), left-padded. */
    public final int[] ids;
    /** Valid lengths (B). */
    public final int[] lengths;
    /** Next-item targets (B, T) for training, {@link Embedding#PADDING} where no loss applies. */
    public final int[] targets;
    /** BCE: one negative per position (B, T). */
    public final int[] rowNegatives;
    final int maxBatch;
    int batch;
    int time;
    final float[] embeddingMask;
    final float[][] stream;
    final float[][] normA;
    final float[][] meanA;
    final float[][] rstdA;
    final float[][] qkvOut;
    final float[][] attentionOut;
    final float[][] projectionMask;
    final float[][] mid;
    final float[][] normF;
    final float[][] meanF;
    final float[][] rstdF;
    final float[][] ffnCache;
    final float[][] ffnMask;
    final CausalSelfAttention[] attention;
    /** Final states (B, T, C). */
    public final float[] hidden;
    final float[] meanH;
    final float[] rstdH;
    // backward
    final float[] dHidden;
    final float[] dStream;
    final float[] dMid;
    final float[] dTmp;
    final float[] dNorm;
    final float[] dAttention;
    final float[] dQkv;
    final float[] ffnScratch;
    final float[] negativeEmbeddings;
    final float[] dNegativeEmbeddings;
    final float[] negativeLogits;
    final float[] pairLogits;
    final float[] dPairLogits;
    final boolean[] valid;
    /** The rows with a target, and their hidden states and gradients gathered compact (rows, C). */
    final int[] validRows;
    final float[] validHidden;
    final float[] dValidHidden;
    final float[] rowScratch;

    private Workspace(int maxBatch, boolean training, int negatives) {
      if (maxBatch < 1) {
        throw new IllegalArgumentException("maxBatch must be >= 1");
      }
      this.maxBatch = maxBatch;
      int n = maxBatch * maxLength;
      int nc = n * c;
      ids = new int[n];
      lengths = new int[maxBatch];
      targets = new int[n];
      rowNegatives = new int[n];
      embeddingMask = new float[nc];
      stream = new float[blocks + 1][nc];
      normA = new float[blocks][nc];
      meanA = new float[blocks][n];
      rstdA = new float[blocks][n];
      qkvOut = new float[blocks][3 * nc];
      attentionOut = new float[blocks][nc];
      projectionMask = new float[blocks][nc];
      mid = new float[blocks][nc];
      normF = new float[blocks][nc];
      meanF = new float[blocks][n];
      rstdF = new float[blocks][n];
      ffnCache = new float[blocks][ffn[0].cacheSize(n)];
      ffnMask = new float[blocks][nc];
      attention = new CausalSelfAttention[blocks];
      for (int l = 0; l < blocks; l++) {
        attention[l] = new CausalSelfAttention(c, heads, maxBatch, maxLength);
      }
      hidden = new float[nc];
      meanH = new float[n];
      rstdH = new float[n];
      dHidden = training ? new float[nc] : null;
      dStream = training ? new float[nc] : null;
      dMid = training ? new float[nc] : null;
      dTmp = training ? new float[nc] : null;
      dNorm = training ? new float[nc] : null;
      dAttention = training ? new float[nc] : null;
      dQkv = training ? new float[3 * nc] : null;
      ffnScratch = training ? new float[ffn[0].scratchSize(n)] : null;
      negativeEmbeddings = training ? new float[negatives * c] : null;
      dNegativeEmbeddings = training ? new float[negatives * c] : null;
      negativeLogits = training ? new float[n * negatives] : null;
      pairLogits = training ? new float[2 * n] : null;
      dPairLogits = training ? new float[2 * n] : null;
      valid = training ? new boolean[n] : null;
      validRows = training ? new int[n] : null;
      validHidden = training ? new float[nc] : null;
      dValidHidden = training ? new float[nc] : null;
      rowScratch = new float[c];
    }

    public int maxBatch() {
      return maxBatch;
    }

    /** d of the network this workspace belongs to. */
    int channels() {
      return c;
    }

    /** Whether this workspace was made by {@code network} (its buffers fit that network's blocks). */
    public boolean belongsTo(SasrecNetwork network) {
      return SasrecNetwork.this == network;
    }

    /** The final state of sequence {@code b} at its newest position, copied into {@code out}. */
    public void lastState(int b, float[] out, int outOffset) {
      System.arraycopy(hidden, ((b * time) + time - 1) * c, out, outOffset, c);
    }
  }

  /**
   * Runs the network over {@code ws.ids} / {@code ws.lengths} for {@code batch} sequences of
   * {@code time} positions; final states in {@code ws.hidden}. {@code key}: the dropout key of this
   * pass (unique per step; {@code keyRow} the batch row of this workspace's first sequence, so that
   * a batch split over threads draws the same masks as in one piece).
   */
  public void forward(Workspace ws, int batch, int time, boolean training, long key, int keyRow) {
    if (batch < 0 || batch > ws.maxBatch || time < 1 || time > maxLength) {
      throw new IllegalArgumentException("batch " + batch + " × time " + time + " outside the workspace's "
          + ws.maxBatch + " × " + maxLength);
    }
    ws.batch = batch;
    ws.time = time;
    int n = batch * time;
    int nc = n * c;
    float[] p = params.values();
    long rowKey = (long) keyRow * time;
    embed(p, ws, batch, time);
    dropout.forward(ws.stream[0], 0, ws.embeddingMask, 0, ws.stream[0], 0, nc, dropoutKey(key, 0, rowKey * c), training);
    for (int l = 0; l < blocks; l++) {
      float[] x = ws.stream[l];
      attentionNorm[l].forward(p, ws.normA[l], 0, ws.meanA[l], ws.rstdA[l], 0, x, 0, n);
      qkv[l].forward(p, ws.qkvOut[l], 0, ws.normA[l], 0, n);
      ws.attention[l].forward(ws.attentionOut[l], 0, ws.qkvOut[l], 0, ws.lengths, batch, time);
      // the projection's output goes straight into mid, dropped, and the residual is added there
      projection[l].forward(p, ws.mid[l], 0, ws.attentionOut[l], 0, n);
      dropout.forward(ws.mid[l], 0, ws.projectionMask[l], 0, ws.mid[l], 0, nc,
          dropoutKey(key, 1 + 3 * l, rowKey * c), training);
      Residual.forward(ws.mid[l], 0, ws.mid[l], 0, x, 0, nc);
      ffnNorm[l].forward(p, ws.normF[l], 0, ws.meanF[l], ws.rstdF[l], 0, ws.mid[l], 0, n);
      float[] next = ws.stream[l + 1];
      ffn[l].forward(p, next, 0, ws.ffnCache[l], 0, ws.normF[l], 0, n, dropoutKey(key, 2 + 3 * l, rowKey * c),
          training);
      dropout.forward(next, 0, ws.ffnMask[l], 0, next, 0, nc, dropoutKey(key, 3 + 3 * l, rowKey * c), training);
      Residual.forward(next, 0, next, 0, ws.mid[l], 0, nc);
    }
    finalNorm.forward(p, ws.hidden, 0, ws.meanH, ws.rstdH, 0, ws.stream[blocks], 0, n);
  }

  /** Keys of different dropout sites never meet: the site in bits 40+, the element below. */
  private static long dropoutKey(long key, int site, long element) {
    return key * 0x9E3779B97F4A7C15L + ((long) site << 40) + element;
  }

  /** x₀[b, t] = √d · E[id] + P[T−1−t] for real positions, 0 at padding. */
  private void embed(float[] p, Workspace ws, int batch, int time) {
    float[] out = ws.stream[0];
    int table = itemEmbedding.table().offset();
    int pos = positions.offset();
    for (int b = 0; b < batch; b++) {
      int start = time - ws.lengths[b];
      for (int t = 0; t < time; t++) {
        int r = b * time + t;
        int o = r * c;
        int id = ws.ids[r];
        if (t < start || id == Embedding.PADDING) {
          Arrays.fill(out, o, o + c, 0f);
          continue;
        }
        checkItem(id);
        int e = table + id * c;
        int q = pos + (time - 1 - t) * c;
        for (int i = 0; i < c; i++) {
          out[o + i] = inputScale * p[e + i] + p[q + i];
        }
      }
    }
  }

  /** In the forward pass x₀ = √d · E[id] + P[T−1−t], so dE[id] += √d · dx₀ and dP[T−1−t] += dx₀. */
  private void embedBackward(float[] grads, RowSet touched, Workspace ws, float[] dx) {
    int table = itemEmbedding.table().offset();
    int pos = positions.offset();
    int time = ws.time;
    for (int b = 0; b < ws.batch; b++) {
      int start = time - ws.lengths[b];
      for (int t = start; t < time; t++) {
        int r = b * time + t;
        int id = ws.ids[r];
        if (id == Embedding.PADDING) {
          continue;
        }
        int o = r * c;
        int e = table + id * c;
        int q = pos + (time - 1 - t) * c;
        for (int i = 0; i < c; i++) {
          grads[e + i] += inputScale * dx[o + i];
          grads[q + i] += dx[o + i];
        }
        touched.add(id);
      }
    }
  }

  /**
   * Backpropagates {@code ws.dHidden} (the loss gradient at the final states) through the last
   * {@link #forward} of {@code ws}, accumulating parameter gradients into {@code grads} (layout of
   * {@link ParameterSet#grads()}) and the touched item rows into {@code touched}.
   */
  public void backward(Workspace ws, float[] grads, RowSet touched) {
    int n = ws.batch * ws.time;
    int nc = n * c;
    float[] p = params.values();
    Arrays.fill(ws.dStream, 0, nc, 0f);
    finalNorm.backward(p, grads, ws.dStream, 0, ws.dHidden, 0, ws.stream[blocks], 0, ws.meanH, ws.rstdH, 0, n);
    for (int l = blocks - 1; l >= 0; l--) {
      // x_{l+1} = m + dropout(FFN(LN₂(m))): dm = dx_{l+1} + LN₂ᵀ(FFNᵀ(dx_{l+1} · mask))
      masked(ws.dTmp, ws.dStream, ws.ffnMask[l], nc);
      Arrays.fill(ws.dNorm, 0, nc, 0f);
      ffn[l].backward(p, grads, ws.dNorm, 0, ws.dTmp, 0, ws.normF[l], 0, ws.ffnCache[l], 0, ws.ffnScratch, 0, n);
      System.arraycopy(ws.dStream, 0, ws.dMid, 0, nc);
      ffnNorm[l].backward(p, grads, ws.dMid, 0, ws.dNorm, 0, ws.mid[l], 0, ws.meanF[l], ws.rstdF[l], 0, n);
      // m = x_l + dropout(Proj(Attention(QKV(LN₁(x_l))))): dx_l = dm + LN₁ᵀ(QKVᵀ(Attentionᵀ(Projᵀ(dm · mask))))
      masked(ws.dTmp, ws.dMid, ws.projectionMask[l], nc);
      Arrays.fill(ws.dAttention, 0, nc, 0f);
      projection[l].backward(p, grads, ws.dAttention, 0, ws.dTmp, 0, ws.attentionOut[l], 0, n);
      Arrays.fill(ws.dQkv, 0, 3 * nc, 0f);
      ws.attention[l].backward(ws.dQkv, 0, ws.dAttention, 0, ws.qkvOut[l], 0);
      Arrays.fill(ws.dNorm, 0, nc, 0f);
      qkv[l].backward(p, grads, ws.dNorm, 0, ws.dQkv, 0, ws.normA[l], 0, n);
      System.arraycopy(ws.dMid, 0, ws.dStream, 0, nc);
      attentionNorm[l].backward(p, grads, ws.dStream, 0, ws.dNorm, 0, ws.stream[l], 0, ws.meanA[l], ws.rstdA[l], 0, n);
    }
    masked(ws.dTmp, ws.dStream, ws.embeddingMask, nc);
    embedBackward(grads, touched, ws, ws.dTmp);
  }

  /** out = dout · mask, the backward of inverted dropout (out = inp · mask). */
  private static void masked(float[] out, float[] dout, float[] mask, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = dout[i] * mask[i];
    }
  }

  /** Rows of the last forward pass that carry a loss (a target that is not padding). */
  private static int markValid(Workspace ws, int n) {
    int count = 0;
    for (int r = 0; r < n; r++) {
      ws.valid[r] = ws.targets[r] != Embedding.PADDING;
      if (ws.valid[r]) {
        count++;
      }
    }
    return count;
  }

  /**
   * The paper's loss on the last forward pass: per position with a target, {@code softplus(−s₊) +
   * softplus(s₋)} with {@code s = h · E[item]} for the target and {@code ws.rowNegatives}; writes
   * {@code ws.dHidden} scaled by {@code weight / rows} and adds the item-table gradient.
   *
   * @return the loss summed over rows
   */
  public double bceLoss(Workspace ws, float[] grads, RowSet touched, float weight) {
    int n = ws.batch * ws.time;
    int rows = markValid(ws, n);
    Arrays.fill(ws.dHidden, 0, n * c, 0f);
    if (rows == 0) {
      return 0;
    }
    float[] p = params.values();
    for (int r = 0; r < n; r++) {
      if (ws.valid[r]) {
        ws.pairLogits[2 * r] = VectorOps.dot(ws.hidden, r * c, p, itemRow(checkItem(ws.targets[r])), c);
        ws.pairLogits[2 * r + 1] = VectorOps.dot(ws.hidden, r * c, p, itemRow(checkItem(ws.rowNegatives[r])), c);
      }
    }
    double loss = Losses.bceSampledForward(ws.pairLogits, 0, ws.valid, 0, n, 1) * (double) rows;
    Arrays.fill(ws.dPairLogits, 0, 2 * n, 0f);
    Losses.bceSampledBackward(ws.dPairLogits, 0, ws.pairLogits, 0, ws.valid, 0, n, 1, weight);
    for (int r = 0; r < n; r++) {
      if (ws.valid[r]) {
        // s = h · E[i], so dh += ds · E[i] and dE[i] += ds · h
        addLogitGradient(grads, touched, ws, r, ws.targets[r], ws.dPairLogits[2 * r]);
        addLogitGradient(grads, touched, ws, r, ws.rowNegatives[r], ws.dPairLogits[2 * r + 1]);
      }
    }
    return loss;
  }

  private void addLogitGradient(float[] grads, RowSet touched, Workspace ws, int r, int item, float ds) {
    int e = itemRow(item);
    VectorOps.axpy(ds, params.values(), e, ws.dHidden, r * c, c);
    VectorOps.axpy(ds, ws.hidden, r * c, grads, e, c);
    touched.add(item);
  }

  /**
   * Sampled-softmax cross-entropy on the last forward pass against {@code negatives} (K items
   * shared by every row, as in-batch sampling shares them; the state-by-negatives logits are one
   * matrix product): per row with target t, {@code lse(s_t, s_1..s_K) − s_t}, a negative equal to
   * the row's target left out. Writes {@code ws.dHidden} scaled by {@code weight / rows} and adds
   * the item-table gradient.
   *
   * @return the loss summed over rows
   */
  public double softmaxLoss(Workspace ws, int[] negatives, int k, float[] grads, RowSet touched, float weight) {
    int n = ws.batch * ws.time;
    int rows = markValid(ws, n);
    Arrays.fill(ws.dHidden, 0, n * c, 0f);
    if (rows == 0) {
      return 0;
    }
    float[] p = params.values();
    for (int j = 0; j < k; j++) {
      System.arraycopy(p, itemRow(checkItem(negatives[j])), ws.negativeEmbeddings, j * c, c);
    }
    // only rows with a target get logits: an online step's one target row does not pay for its window
    float[] h = gatherValid(ws, n, rows);
    // logits (rows, K) = h (rows, C) · Enegᵀ (C, K)
    VectorOps.matMulTransB(h, 0, ws.negativeEmbeddings, 0, ws.negativeLogits, 0, rows, c, k, false);
    double loss = 0;
    float scale = weight / rows;
    for (int i = 0; i < rows; i++) {
      int r = ws.validRows[i];
      int row = i * k;
      int target = ws.targets[r];
      double positive = VectorOps.dot(ws.hidden, r * c, p, itemRow(checkItem(target)), c);
      double max = positive;
      for (int j = 0; j < k; j++) {
        if (negatives[j] != target) {
          max = Math.max(max, ws.negativeLogits[row + j]);
        }
      }
      // the row keeps e^(s_j − max) so each exponential is taken once
      double positiveExp = Math.exp(positive - max);
      double sum = positiveExp;
      for (int j = 0; j < k; j++) {
        float e = negatives[j] == target ? 0f : (float) Math.exp(ws.negativeLogits[row + j] - max);
        ws.negativeLogits[row + j] = e;
        sum += e;
      }
      loss += max + Math.log(sum) - positive;
      // L = lse − s_t, so ∂L/∂s_j = softmax_j − [j = t]; the logits row now holds the gradient
      float toGradient = (float) (scale / sum);
      for (int j = 0; j < k; j++) {
        ws.negativeLogits[row + j] *= toGradient;
      }
      addLogitGradient(grads, touched, ws, r, target, (float) ((positiveExp / sum - 1) * scale));
    }
    negativeBackward(ws, h, negatives, k, rows, grads, touched);
    return loss;
  }

  /**
   * The hidden rows with a target ({@code ws.valid}) as a compact (rows, C) matrix, their indices
   * in {@code ws.validRows}: {@code ws.hidden} itself when every row has one.
   */
  private float[] gatherValid(Workspace ws, int n, int rows) {
    if (rows == n) {
      for (int r = 0; r < n; r++) {
        ws.validRows[r] = r;
      }
      return ws.hidden;
    }
    int i = 0;
    for (int r = 0; r < n; r++) {
      if (ws.valid[r]) {
        ws.validRows[i] = r;
        System.arraycopy(ws.hidden, r * c, ws.validHidden, i * c, c);
        i++;
      }
    }
    return ws.validHidden;
  }

  /**
   * Backward of {@code logits = h · Enegᵀ} over the compact rows, the logits' gradient in {@code
   * ws.negativeLogits}: {@code dh += dlogits · Eneg} into the rows' {@code ws.dHidden} and {@code
   * dEneg = dlogitsᵀ · h} into the negatives' table rows.
   */
  private void negativeBackward(Workspace ws, float[] h, int[] negatives, int k, int rows, float[] grads,
      RowSet touched) {
    if (h == ws.hidden) {
      VectorOps.matMul(ws.negativeLogits, 0, ws.negativeEmbeddings, 0, ws.dHidden, 0, rows, k, c, true);
    } else {
      VectorOps.matMul(ws.negativeLogits, 0, ws.negativeEmbeddings, 0, ws.dValidHidden, 0, rows, k, c, false);
      for (int i = 0; i < rows; i++) {
        VectorOps.axpy(1f, ws.dValidHidden, i * c, ws.dHidden, ws.validRows[i] * c, c);
      }
    }
    VectorOps.matMulTransA(ws.negativeLogits, 0, h, 0, ws.dNegativeEmbeddings, 0, k, rows, c, false);
    for (int j = 0; j < k; j++) {
      VectorOps.axpy(1f, ws.dNegativeEmbeddings, j * c, grads, itemRow(negatives[j]), c);
      touched.add(negatives[j]);
    }
  }

  /**
   * Distillation on the last forward pass (Hinton et al. 2015; Li and Hoiem's "Learning without
   * Forgetting" 2016): the teacher's scores of the {@code negatives} are soft targets for this
   * network's, per row with a target: {@code L = weight · mean_rows KL(q ‖ p)} with {@code q =
   * softmax(h_teacher · E_teacher[neg])} and {@code p = softmax(h · E[neg])}. {@code teacherWs}
   * holds the teacher's forward pass over the same ids. Adds to {@code ws.dHidden} (call after the
   * main loss, which sets it) and to the item-table gradient.
   *
   * @return the summed KL over rows
   */
  public double distillationLoss(Workspace ws, SasrecNetwork teacher, Workspace teacherWs, int[] negatives, int k,
      float[] grads, RowSet touched, float weight) {
    int n = ws.batch * ws.time;
    int rows = markValid(ws, n);
    if (rows == 0) {
      return 0;
    }
    float[] p = params.values();
    float[] tp = teacher.params.values();
    // the teacher may be wider than this network (a distilled student): its rows are its own width
    int tc = teacher.c;
    for (int j = 0; j < k; j++) {
      System.arraycopy(p, itemRow(checkItem(negatives[j])), ws.negativeEmbeddings, j * c, c);
      int teacherRow = negatives[j] < teacher.items ? teacher.itemRow(negatives[j]) : -1;
      if (teacherRow < 0) {
        Arrays.fill(teacherWs.negativeEmbeddings, j * tc, (j + 1) * tc, 0f); // an item the teacher never had
      } else {
        System.arraycopy(tp, teacherRow, teacherWs.negativeEmbeddings, j * tc, tc);
      }
    }
    float[] h = gatherValid(ws, n, rows);
    float[] th = teacherHidden(teacherWs, ws, n, rows);
    VectorOps.matMulTransB(h, 0, ws.negativeEmbeddings, 0, ws.negativeLogits, 0, rows, c, k, false);
    VectorOps.matMulTransB(th, 0, teacherWs.negativeEmbeddings, 0, teacherWs.negativeLogits, 0, rows, tc, k, false);
    double loss = 0;
    float scale = weight / rows;
    for (int i = 0; i < rows; i++) {
      int row = i * k;
      double studentLse = logSumExp(ws.negativeLogits, row, k);
      double teacherLse = logSumExp(teacherWs.negativeLogits, row, k);
      for (int j = 0; j < k; j++) {
        double logP = ws.negativeLogits[row + j] - studentLse;
        double logQ = teacherWs.negativeLogits[row + j] - teacherLse;
        double q = Math.exp(logQ);
        loss += q * (logQ - logP);
        // KL(q ‖ softmax(s)) = Σ q log q − Σ q s + lse(s), so ∂/∂s_j = p_j − q_j
        ws.negativeLogits[row + j] = (float) ((Math.exp(logP) - q) * scale);
      }
    }
    negativeBackward(ws, h, negatives, k, rows, grads, touched);
    return loss;
  }

  /** The teacher's hidden rows at this workspace's target rows ({@code ws.validRows}), compact like {@link #gatherValid}. */
  private static float[] teacherHidden(Workspace teacherWs, Workspace ws, int n, int rows) {
    if (rows == n) {
      return teacherWs.hidden;
    }
    int tc = teacherWs.channels();
    for (int i = 0; i < rows; i++) {
      System.arraycopy(teacherWs.hidden, ws.validRows[i] * tc, teacherWs.validHidden, i * tc, tc);
    }
    return teacherWs.validHidden;
  }

  private static double logSumExp(float[] x, int from, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = from; j < from + n; j++) {
      max = Math.max(max, x[j]);
    }
    double sum = 0;
    for (int j = from; j < from + n; j++) {
      sum += Math.exp(x[j] - max);
    }
    return max + Math.log(sum);
  }

  private int checkItem(int id) {
    if (id < 0 || id >= items) {
      throw new IndexOutOfBoundsException("item " + id + " outside the table of " + items);
    }
    return id;
  }
}
