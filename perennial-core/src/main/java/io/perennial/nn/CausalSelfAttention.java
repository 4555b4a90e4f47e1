package io.perennial.nn;

import io.perennial.kernel.VectorOps;
import java.util.Arrays;
import java.util.Objects;

/**
 * Multi-head causal scaled dot-product self-attention with a key padding mask, the attention core
 * of SASRec: forward, backward, and an incremental path ({@link Cache}) that appends one position
 * at a time.
 *
 * <p>Shapes (one letter per dimension, as everywhere in this package):
 *
 * <pre>
 *   qkv (B, T, 3C)   per position [q | k | v], head h's slice of each at h·HS .. (h+1)·HS
 *   out (B, T, C)    head h's output at h·HS .. (h+1)·HS
 *   att (B, NH, ≤L²) softmax probabilities cached for backward, L = valid length of sequence b,
 *                    in row blocks (see below)
 *   HS = C / NH
 * </pre>
 *
 * <p>Masks. Sequences are left-padded: sequence {@code b} holds {@code L = validLength[b]} real
 * positions {@code T-L .. T-1} (the latest at {@code T-1}) after {@code T-L} padding positions. A
 * real query position {@code t} attends to the real keys {@code t'} with {@code T-L ≤ t' ≤ t}
 * (causal and key padding masks together); a padding query outputs zeros and neither receives nor
 * passes gradient; padding keys and values are never read. Every real query attends at least to
 * itself, so each softmax row is well defined.
 *
 * <p>Cost. Only the valid suffix is computed: a sequence of length L costs O(L²·C), whatever T
 * is, so short sequences in a long batch do not pay for their padding. Per sequence and head, q, k
 * and v are gathered into contiguous L × HS blocks so that the products are {@link
 * VectorOps#matMulTransB} (scores), {@link VectorOps#matMul} (weighted values) and their
 * transposes in backward. The causal mask halves the work: queries go in blocks of 16 rows, and block {@code [r0, r1)} is multiplied with keys {@code [0, r1)} only, its
 * probabilities stored as a {@code (r1 − r0) × r1} row-major block (the blocks of one sequence and
 * head one after another); the few above-diagonal entries inside a block are computed by the
 * product and masked (probability exactly 0), cheaper than skipping them element by element.
 *
 * <p>Memory. Everything is allocated by the constructor for at most {@code maxBatch × maxTime}: the
 * probability cache ({@code maxBatch·NH·maxTime²} floats) and per-head scratch blocks; {@link
 * #forward} and {@link #backward} allocate nothing. An instance is therefore not thread-safe: give
 * each training thread its own.
 */
public final class CausalSelfAttention {

  private final int channels;
  private final int heads;
  private final int headSize;
  private final int maxBatch;
  private final int maxTime;
  /** 1/√HS, the scale of the dot products, so that scores have unit variance for unit inputs. */
  private final float scale;

  /**
   * Query rows per block product. Larger blocks waste more of the masked triangle ((R−1)/2 of
   * every R rows' keys); smaller ones give the matrix kernels less to block over.
   */
  static final int ROW_BLOCK = 16;

  /** Softmax probabilities: for (b, h) the row blocks of one sequence, at {@code (b·NH + h)·T·T}. */
  private final float[] att;
  /** Valid lengths, batch and time of the last forward pass, for backward. */
  private final int[] lengths;
  private int batch = -1;
  private int time = -1;

  // Scratch, one L × HS block per role (L × L for the score gradient), reused for every (b, h).
  private final float[] q;
  private final float[] k;
  private final float[] v;
  private final float[] y;
  private final float[] dy;
  private final float[] dq;
  private final float[] dk;
  private final float[] dv;
  private final float[] datt;

  /**
   * @param channels C, the model width
   * @param heads NH, which must divide C
   * @param maxBatch largest B a forward pass will be given
   * @param maxTime largest T a forward pass will be given
   */
  public CausalSelfAttention(int channels, int heads, int maxBatch, int maxTime) {
    if (channels <= 0 || heads <= 0 || channels % heads != 0) {
      throw new IllegalArgumentException(
          "channels must be a positive multiple of heads: " + channels + " channels, " + heads + " heads");
    }
    if (maxBatch <= 0 || maxTime <= 0) {
      throw new IllegalArgumentException("maxBatch and maxTime must be > 0: " + maxBatch + ", " + maxTime);
    }
    this.channels = channels;
    this.heads = heads;
    this.headSize = channels / heads;
    this.maxBatch = maxBatch;
    this.maxTime = maxTime;
    this.scale = (float) (1.0 / Math.sqrt(headSize));
    this.att = new float[Math.multiplyExact(Math.multiplyExact(maxBatch, heads), Math.multiplyExact(maxTime, maxTime))];
    this.lengths = new int[maxBatch];
    int block = maxTime * headSize;
    this.q = new float[block];
    this.k = new float[block];
    this.v = new float[block];
    this.y = new float[block];
    this.dy = new float[block];
    this.dq = new float[block];
    this.dk = new float[block];
    this.dv = new float[block];
    this.datt = new float[Math.min(ROW_BLOCK, maxTime) * maxTime];
  }

  /** C. */
  public int channels() {
    return channels;
  }

  /** NH. */
  public int heads() {
    return heads;
  }

  /** HS = C / NH. */
  public int headSize() {
    return headSize;
  }

  /** Largest B accepted. */
  public int maxBatch() {
    return maxBatch;
  }

  /** Largest T accepted. */
  public int maxTime() {
    return maxTime;
  }

  /**
   * The cached probability with which query {@code t} of sequence {@code b} attends, in head
   * {@code h}, to key {@code tKey} in the last forward pass (0 where masked). For inspection and
   * tests; the training path reads the cache directly.
   */
  public float probability(int b, int h, int t, int tKey) {
    if (batch < 0) {
      throw new IllegalStateException("no forward pass yet");
    }
    Objects.checkIndex(b, batch);
    Objects.checkIndex(h, heads);
    Objects.checkIndex(t, time);
    Objects.checkIndex(tKey, time);
    int len = lengths[b];
    int i = t - (time - len);
    int j = tKey - (time - len);
    if (i < 0 || j < 0 || j > i) {
      return 0f;
    }
    int offset = (b * heads + h) * time * time;
    int r0 = 0;
    for (; r0 + ROW_BLOCK <= i; r0 += ROW_BLOCK) {
      offset += ROW_BLOCK * Math.min(len, r0 + ROW_BLOCK);
    }
    int width = Math.min(len, r0 + ROW_BLOCK);
    return att[offset + (i - r0) * width + j];
  }

  /**
   * out (B, T, C) = attention(qkv (B, T, 3C)) under the causal and left-padding masks; padding rows
   * of {@code out} are set to zero. Caches the probabilities and {@code validLength} for {@link
   * #backward}.
   *
   * @param validLength per sequence, the number L ≤ T of real (right-aligned) positions
   */
  public void forward(float[] out, int outOffset, float[] qkv, int qkvOffset, int[] validLength,
      int batchSize, int timeSize) {
    checkShapes(batchSize, timeSize);
    if (validLength.length < batchSize) {
      throw new IllegalArgumentException("validLength has " + validLength.length + " entries, batch is " + batchSize);
    }
    for (int b = 0; b < batchSize; b++) {
      if (validLength[b] < 0 || validLength[b] > timeSize) {
        throw new IllegalArgumentException("validLength[" + b + "] = " + validLength[b] + " not in [0, " + timeSize + "]");
      }
    }
    int c3 = 3 * channels;
    Objects.checkFromIndexSize(qkvOffset, batchSize * timeSize * c3, qkv.length);
    Objects.checkFromIndexSize(outOffset, batchSize * timeSize * channels, out.length);
    System.arraycopy(validLength, 0, lengths, 0, batchSize);
    batch = batchSize;
    time = timeSize;
    int hs = headSize;
    for (int b = 0; b < batchSize; b++) {
      int len = validLength[b];
      int start = timeSize - len; // first real position
      int outSeq = outOffset + b * timeSize * channels;
      Arrays.fill(out, outSeq, outSeq + start * channels, 0f); // padding queries output zeros
      if (len == 0) {
        continue;
      }
      int qkvSeq = qkvOffset + (b * timeSize + start) * c3; // row of the first real position
      for (int h = 0; h < heads; h++) {
        gather(qkv, qkvSeq + h * hs, c3, q, len);
        gather(qkv, qkvSeq + channels + h * hs, c3, k, len);
        gather(qkv, qkvSeq + 2 * channels + h * hs, c3, v, len);
        int p = (b * heads + h) * timeSize * timeSize;
        for (int r0 = 0; r0 < len; r0 += ROW_BLOCK) {
          int r1 = Math.min(len, r0 + ROW_BLOCK); // queries r0 .. r1-1 see keys 0 .. r1-1
          int rows = r1 - r0;
          // preatt (rows, r1) = q[r0:r1] · k[0:r1]ᵀ; the scale 1/√HS is applied in the softmax
          VectorOps.matMulTransB(q, r0 * hs, k, 0, att, p, rows, hs, r1, false);
          for (int i = r0; i < r1; i++) {
            softmaxCausalRow(att, p + (i - r0) * r1, i, r1);
          }
          // y[r0:r1] (rows, HS) = att · v[0:r1]; masked probabilities are exactly 0, so the future adds nothing
          VectorOps.matMul(att, p, v, 0, y, r0 * hs, rows, r1, hs, false);
          p += rows * r1;
        }
        scatter(y, out, outSeq + start * channels + h * hs, channels, len);
      }
    }
  }

  /**
   * Turns row {@code i} of the raw scores at {@code row} into probabilities over keys {@code 0 ..
   * i} (scaled by 1/√HS), and zeroes keys {@code i+1 .. width-1} (the causal mask).
   */
  private void softmaxCausalRow(float[] a, int row, int i, int width) {
    // subtract the row maximum before exp so that no score overflows (softmax is shift-invariant)
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j <= i; j++) {
      max = Math.max(max, a[row + j]);
    }
    double sum = 0;
    for (int j = 0; j <= i; j++) {
      float e = (float) Math.exp(scale * (a[row + j] - max));
      a[row + j] = e;
      sum += e;
    }
    float inv = (float) (1.0 / sum); // ≥ 1 term is exp(0) = 1, so sum ≥ 1
    for (int j = 0; j <= i; j++) {
      a[row + j] *= inv;
    }
    Arrays.fill(a, row + i + 1, row + width, 0f);
  }

  /**
   * Accumulates into dqkv (B, T, 3C) the gradient of the loss with respect to the qkv given to the
   * last {@link #forward}, from dout (B, T, C), its gradient with respect to the output. {@code qkv}
   * must be the same input as in that forward pass. Padding positions of {@code dqkv} are not
   * touched and {@code dout} at padding positions is ignored.
   *
   * <p>Derivation, per sequence and head, with the real positions only (L rows), s = 1/√HS:
   *
   * <pre>
   *   forward:  S = s · q kᵀ,  S_ij = −∞ for j &gt; i (causal mask)
   *             P = softmax_rows(S)            (cached as att)
   *             y = P v
   *   backward: dv = Pᵀ dy                     (y = P v, so ∂y_ic/∂v_jc = P_ij)
   *             dP = dy vᵀ                     (∂y_ic/∂P_ij = v_jc)
   *             dS_ij = Σ_k dP_ik ∂P_ik/∂S_ij = Σ_k dP_ik P_ik (δ_kj − P_ij)
   *                   = P_ij (dP_ij − Σ_k dP_ik P_ik)       i.e. dS = P ⊙ (dP − rowsum(dP ⊙ P))
   *             masked entries have P_ij = 0, hence dS_ij = 0: no gradient flows to the future
   *             dq = s · dS k,   dk = s · dSᵀ q             (S = s · q kᵀ)
   * </pre>
   */
  public void backward(float[] dqkv, int dqkvOffset, float[] dout, int doutOffset, float[] qkv, int qkvOffset) {
    if (batch < 0) {
      throw new IllegalStateException("backward before forward");
    }
    int c3 = 3 * channels;
    Objects.checkFromIndexSize(qkvOffset, batch * time * c3, qkv.length);
    Objects.checkFromIndexSize(dqkvOffset, batch * time * c3, dqkv.length);
    Objects.checkFromIndexSize(doutOffset, batch * time * channels, dout.length);
    int hs = headSize;
    for (int b = 0; b < batch; b++) {
      int len = lengths[b];
      if (len == 0) {
        continue;
      }
      int start = time - len;
      int rowOffset = (b * time + start) * c3;
      int qkvSeq = qkvOffset + rowOffset;
      int dqkvSeq = dqkvOffset + rowOffset;
      int doutSeq = doutOffset + (b * time + start) * channels;
      for (int h = 0; h < heads; h++) {
        gather(qkv, qkvSeq + h * hs, c3, q, len);
        gather(qkv, qkvSeq + channels + h * hs, c3, k, len);
        gather(qkv, qkvSeq + 2 * channels + h * hs, c3, v, len);
        gather(dout, doutSeq + h * hs, channels, dy, len);
        int p = (b * heads + h) * time * time;
        // every block of query rows adds to the key and value gradients of the keys it saw
        Arrays.fill(dk, 0, len * hs, 0f);
        Arrays.fill(dv, 0, len * hs, 0f);
        for (int r0 = 0; r0 < len; r0 += ROW_BLOCK) {
          int r1 = Math.min(len, r0 + ROW_BLOCK);
          int rows = r1 - r0;
          // in the forward pass this was y[r0:r1] = att · v[0:r1], so
          // dv[0:r1] += attᵀ · dy[r0:r1] and datt (rows, r1) = dy[r0:r1] · v[0:r1]ᵀ
          VectorOps.matMulTransA(att, p, dy, r0 * hs, dv, 0, r1, rows, hs, true);
          VectorOps.matMulTransB(dy, r0 * hs, v, 0, datt, 0, rows, hs, r1, false);
          // softmax backward, row by row: dpreatt = s · P ⊙ (dP − rowsum(dP ⊙ P)), 0 above the diagonal
          for (int i = r0; i < r1; i++) {
            int row = (i - r0) * r1;
            double dot = 0;
            for (int j = 0; j <= i; j++) {
              dot += datt[row + j] * att[p + row + j];
            }
            float r = (float) dot;
            for (int j = 0; j <= i; j++) {
              datt[row + j] = scale * att[p + row + j] * (datt[row + j] - r);
            }
            Arrays.fill(datt, row + i + 1, row + r1, 0f);
          }
          // in the forward pass this was preatt = q[r0:r1] · k[0:r1]ᵀ, so
          // dq[r0:r1] = dpreatt · k[0:r1] and dk[0:r1] += dpreattᵀ · q[r0:r1]
          VectorOps.matMul(datt, 0, k, 0, dq, r0 * hs, rows, r1, hs, false);
          VectorOps.matMulTransA(datt, 0, q, r0 * hs, dk, 0, r1, rows, hs, true);
          p += rows * r1;
        }
        scatterAdd(dq, dqkv, dqkvSeq + h * hs, c3, len);
        scatterAdd(dk, dqkv, dqkvSeq + channels + h * hs, c3, len);
        scatterAdd(dv, dqkv, dqkvSeq + 2 * channels + h * hs, c3, len);
      }
    }
  }

  /**
   * A new key/value cache for one sequence, holding up to {@code capacity} positions, sized for this
   * layer's C and NH. See {@link Cache}.
   */
  public Cache newCache(int capacity) {
    return new Cache(capacity);
  }

  /**
   * Incremental attention over one growing sequence: {@link #append} takes the qkv (3C) of the next
   * position and writes its output (C), attending to every position appended so far and itself.
   * Because of the causal mask an appended position never changes earlier outputs, so appending
   * positions {@code 0 .. n-1} one by one gives the outputs {@link #forward} gives for the
   * sequence of length n (unpadded, or the real rows of its left-padded form), at O(n·C) per
   * position instead of O(n²·C).
   *
   * <p>In a stack of layers this holds only if the layers below also leave the earlier positions'
   * k and v unchanged when one is appended; learned positional embeddings must then be counted
   * from the start of the sequence, not from its right-aligned end. Allocates nothing per append.
   */
  public final class Cache {
    private final float[] keys;
    private final float[] values;
    private final float[] scores;
    private final int capacity;
    private int length;

    private Cache(int capacity) {
      if (capacity <= 0) {
        throw new IllegalArgumentException("capacity must be > 0: " + capacity);
      }
      this.capacity = capacity;
      this.keys = new float[Math.multiplyExact(capacity, channels)];
      this.values = new float[capacity * channels];
      this.scores = new float[capacity];
    }

    /** Positions appended since creation or the last {@link #reset}. */
    public int length() {
      return length;
    }

    /** Largest number of positions the cache holds. */
    public int capacity() {
      return capacity;
    }

    /** Forgets every position, for the next sequence. */
    public void reset() {
      length = 0;
    }

    /**
     * out (C) = attention output of a new last position with input qkv (3C) at {@code qkvOffset}.
     *
     * @throws IllegalStateException when the cache is full
     */
    public void append(float[] qkv, int qkvOffset, float[] out, int outOffset) {
      if (length == capacity) {
        throw new IllegalStateException("cache full: " + capacity + " positions");
      }
      Objects.checkFromIndexSize(qkvOffset, 3 * channels, qkv.length);
      Objects.checkFromIndexSize(outOffset, channels, out.length);
      int n = length;
      System.arraycopy(qkv, qkvOffset + channels, keys, n * channels, channels);
      System.arraycopy(qkv, qkvOffset + 2 * channels, values, n * channels, channels);
      length = n + 1;
      int hs = headSize;
      for (int h = 0; h < heads; h++) {
        int qh = qkvOffset + h * hs;
        // scores over keys 0 .. n, the new position included; max-subtracted as in forward
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j <= n; j++) {
          scores[j] = scale * VectorOps.dot(qkv, qh, keys, j * channels + h * hs, hs);
          max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = 0; j <= n; j++) {
          scores[j] = (float) Math.exp(scores[j] - max);
          sum += scores[j];
        }
        float inv = (float) (1.0 / sum);
        int oh = outOffset + h * hs;
        Arrays.fill(out, oh, oh + hs, 0f);
        for (int j = 0; j <= n; j++) {
          VectorOps.axpy(scores[j] * inv, values, j * channels + h * hs, out, oh, hs);
        }
      }
    }
  }

  /** Copies {@code rows} head slices of width HS, {@code stride} apart from {@code from}, into block. */
  private void gather(float[] src, int from, int stride, float[] block, int rows) {
    for (int i = 0; i < rows; i++) {
      System.arraycopy(src, from + i * stride, block, i * headSize, headSize);
    }
  }

  private void scatter(float[] block, float[] dst, int to, int stride, int rows) {
    for (int i = 0; i < rows; i++) {
      System.arraycopy(block, i * headSize, dst, to + i * stride, headSize);
    }
  }

  private void scatterAdd(float[] block, float[] dst, int to, int stride, int rows) {
    for (int i = 0; i < rows; i++) {
      VectorOps.axpy(1f, block, i * headSize, dst, to + i * stride, headSize);
    }
  }

  private void checkShapes(int batchSize, int timeSize) {
    if (batchSize < 0 || batchSize > maxBatch) {
      throw new IllegalArgumentException("batch " + batchSize + " not in [0, " + maxBatch + "]");
    }
    if (timeSize <= 0 || timeSize > maxTime) {
      throw new IllegalArgumentException("time " + timeSize + " not in [1, " + maxTime + "]");
    }
  }
}
