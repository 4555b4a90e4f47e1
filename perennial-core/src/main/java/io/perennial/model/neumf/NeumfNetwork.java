package io.perennial.model.neumf;

import io.perennial.kernel.VectorOps;
import io.perennial.nn.Activation;
import io.perennial.nn.Embedding;
import io.perennial.nn.Linear;
import io.perennial.nn.Losses;
import io.perennial.nn.ParameterSet;
import io.perennial.nn.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The NeuMF network over a {@link ParameterSet}: a GMF tower {@code φ_gmf = p_u ⊙ q_i} and an MLP
 * tower {@code φ_mlp = a_L(…a_1(W_1 [p'_u; q'_i] + b_1)…)}, fused by {@code ŷ = σ(h_gmfᵀ φ_gmf +
 * h_mlpᵀ φ_mlp + b)} (the network outputs the logit; the sigmoid lives in the loss).
 *
 * <p>The first MLP layer over the concatenation is kept as two layers, one over the user half and
 * one over the item half ({@code W_1 [p'; q'] = W_u p' + W_i q'}): the same function, and scoring
 * every item for one user computes the user half once. The GMF item table is registered first, so
 * it starts at offset 0 of the value array: the array is then the item-vector view {@link
 * io.perennial.model.VectorRetrieval} asks for, without a copy.
 *
 * <p>Like the layers it is built from, the network holds only views and sizes; values, gradients
 * and activations are passed in, so one instance serves every reading thread.
 */
final class NeumfNetwork {

  /** The GMF tower's item table. */
  static final String GMF_ITEM = "gmf.item";
  /** The MLP tower's item table. */
  static final String MLP_ITEM = "mlp.item";

  /** Which towers the output uses: pre-training trains each alone, then the fused network. */
  enum Mode { GMF, MLP, FUSED }

  final int userRows;
  final int itemRows;
  final int g;
  final int e;
  final int[] widths;
  final Activation activation;
  final float regularization;
  final ParameterSet params;
  final Embedding gmfItem;
  final Embedding gmfUser;
  final Embedding mlpItem;
  final Embedding mlpUser;
  final Linear firstUser;
  final Linear firstItem;
  final Linear[] hidden;
  final Linear predictGmf;
  final Linear predictMlp;
  final Tensor predictBias;

  NeumfNetwork(NeumfConfig config, int userRows, int itemRows) {
    this.userRows = Math.max(1, userRows);
    this.itemRows = Math.max(1, itemRows);
    this.g = config.gmfFactors();
    this.e = config.mlpEmbedding();
    this.activation = config.activation();
    this.regularization = config.regularization();
    this.widths = new int[config.mlpLayers()];
    for (int l = 0; l < widths.length; l++) {
      widths[l] = e >> l;
    }
    ParameterSet.Builder b = ParameterSet.builder();
    gmfItem = new Embedding(b, GMF_ITEM, this.itemRows, g);
    gmfUser = new Embedding(b, "gmf.user", this.userRows, g);
    mlpItem = new Embedding(b, MLP_ITEM, this.itemRows, e);
    mlpUser = new Embedding(b, "mlp.user", this.userRows, e);
    firstUser = new Linear(b, "mlp.0.user", e, widths[0], true);
    firstItem = new Linear(b, "mlp.0.item", e, widths[0], false);
    hidden = new Linear[widths.length - 1];
    for (int l = 1; l < widths.length; l++) {
      hidden[l - 1] = new Linear(b, "mlp." + l, widths[l - 1], widths[l], true);
    }
    predictGmf = new Linear(b, "predict.gmf", g, 1, false);
    predictMlp = new Linear(b, "predict.mlp", mlpOut(), 1, false);
    predictBias = b.dense("predict.bias", false, 1);
    params = b.build();
  }

  /**
   * The layer names {@code --fine-tune freeze:} takes, each to the parameter names it stands for:
   * {@code items} (GMF and MLP item tables), {@code users}, {@code embeddings} (all four tables),
   * {@code gmf} (its tables and output weights), {@code mlp} (its tables and tower), {@code tower}
   * (the MLP layers alone) and {@code predict} (the fusion layer).
   */
  static java.util.Map<String, java.util.List<String>> layerGroups(ParameterSet params) {
    java.util.Map<String, java.util.List<String>> groups = new java.util.LinkedHashMap<>();
    groups.put("items", java.util.List.of(GMF_ITEM, MLP_ITEM));
    groups.put("users", java.util.List.of("gmf.user", "mlp.user"));
    groups.put("embeddings", java.util.List.of(GMF_ITEM, "gmf.user", MLP_ITEM, "mlp.user"));
    java.util.List<String> gmf = new java.util.ArrayList<>();
    java.util.List<String> tower = new java.util.ArrayList<>();
    java.util.List<String> predict = new java.util.ArrayList<>();
    for (Tensor t : params.tensors()) {
      String n = t.name();
      if (n.startsWith("gmf.") || n.startsWith("predict.gmf.")) {
        gmf.add(n);
      }
      if (n.startsWith("mlp.") && !t.isTable()) {
        tower.add(n);
      }
      if (n.startsWith("predict.")) {
        predict.add(n);
      }
    }
    groups.put("gmf", gmf);
    groups.put("tower", tower);
    groups.put("predict", predict);
    return groups;
  }

  /** Width of the MLP tower's output. */
  int mlpOut() {
    return widths[widths.length - 1];
  }

  /**
   * Embeddings normal with {@code initStd}, layers as PyTorch initialises them, the output layer
   * uniform in {@code ±1/√fan-in} over the concatenation it stands for.
   */
  void init(NeumfConfig config, SplittableRandom rng) {
    float std = config.initStd();
    gmfItem.init(params, std, rng);
    gmfUser.init(params, std, rng);
    mlpItem.init(params, std, rng);
    mlpUser.init(params, std, rng);
    // the two halves of W_1 stand for one layer over 2e inputs: its PyTorch bound is 1/√(2e)
    float firstBound = (float) (1 / Math.sqrt(2.0 * e));
    params.uniform(firstUser.weight(), firstBound, rng);
    params.uniform(firstUser.bias(), firstBound, rng);
    params.uniform(firstItem.weight(), firstBound, rng);
    for (Linear l : hidden) {
      l.init(params, rng);
    }
    float outBound = (float) (1 / Math.sqrt(g + mlpOut()));
    params.uniform(predictGmf.weight(), outBound, rng);
    params.uniform(predictMlp.weight(), outBound, rng);
    params.fill(predictBias, 0f);
  }

  /** Fills rows {@code from..to) of both user tables with fresh normal rows. */
  void initUserRows(int from, int to, float std, SplittableRandom rng) {
    initRows(gmfUser.table(), from, to, std, rng);
    initRows(mlpUser.table(), from, to, std, rng);
  }

  void initItemRows(int from, int to, float std, SplittableRandom rng) {
    initRows(gmfItem.table(), from, to, std, rng);
    initRows(mlpItem.table(), from, to, std, rng);
  }

  private void initRows(Tensor table, int from, int to, float std, SplittableRandom rng) {
    float[] v = params.values();
    for (int p = table.offset() + from * table.cols(); p < table.offset() + to * table.cols(); p++) {
      v[p] = (float) (rng.nextGaussian() * std);
    }
  }

  /**
   * Copies every parameter of {@code from} into this network: dense tensors whole, tables row by
   * row for the rows both have (a network grown for new ids keeps what the old one learned).
   */
  void copyFrom(NeumfNetwork from) {
    float[] src = from.params.values();
    float[] dst = params.values();
    for (Tensor t : params.tensors()) {
      Tensor s = from.params.tensor(t.name());
      int n = t.isTable() ? Math.min(t.rows(), s.rows()) * t.cols() : t.size();
      System.arraycopy(src, s.offset(), dst, t.offset(), n);
    }
    io.perennial.nn.PruneMask.carryOver(from.params, params);
  }

  // ---- training: forward and backward over a batch of (user, item) rows ----

  /** Activation buffers for up to {@code rows} rows, and their gradients; one per thread. */
  final class Workspace {
    final int rows;
    final int[] users;
    final int[] items;
    final float[] gu;
    final float[] gi;
    final float[] gmf;
    final float[] mu;
    final float[] mi;
    final float[][] z;
    final float[][] a;
    final float[] logits;
    final float[] part;
    final float[] labels;
    final float[] dlogits;
    final float[] dgmf;
    final float[] dgu;
    final float[] dgi;
    final float[] dmu;
    final float[] dmi;
    final float[][] dz;
    final float[][] da;
    final float[] userMlp;
    /**
     * Rows per user group: rows {@code [b·group, (b+1)·group)} share one user (a positive and its
     * negatives), so the user half of the first MLP layer runs once per group, on the compact rows
     * {@code leaders}, {@code mu}, {@code zu} and {@code dzu}. 1: every row on its own.
     */
    int group = 1;
    final int[] leaders;
    final float[] zu;
    final float[] dzu;

    Workspace(int rows) {
      this.rows = rows;
      users = new int[rows];
      items = new int[rows];
      gu = new float[rows * g];
      gi = new float[rows * g];
      gmf = new float[rows * g];
      mu = new float[rows * e];
      mi = new float[rows * e];
      z = new float[widths.length][];
      a = new float[widths.length][];
      dz = new float[widths.length][];
      da = new float[widths.length][];
      for (int l = 0; l < widths.length; l++) {
        z[l] = new float[rows * widths[l]];
        a[l] = new float[rows * widths[l]];
        dz[l] = new float[rows * widths[l]];
        da[l] = new float[rows * widths[l]];
      }
      logits = new float[rows];
      part = new float[rows];
      labels = new float[rows];
      dlogits = new float[rows];
      dgmf = new float[rows * g];
      dgu = new float[rows * g];
      dgi = new float[rows * g];
      dmu = new float[rows * e];
      dmi = new float[rows * e];
      userMlp = new float[widths[0]];
      leaders = new int[rows];
      zu = new float[rows * widths[0]];
      dzu = new float[rows * widths[0]];
    }
  }

  Workspace workspace(int rows) {
    return new Workspace(rows);
  }

  /** Looks up the four embeddings of rows {@code 0..n)} of {@code ws.users} and {@code ws.items}. */
  void gather(float[] values, Workspace ws, int n) {
    gmfUser.forward(values, ws.gu, 0, ws.users, 0, n);
    gmfItem.forward(values, ws.gi, 0, ws.items, 0, n);
    if (ws.group > 1) {
      for (int b = 0; b < n / ws.group; b++) {
        ws.leaders[b] = ws.users[b * ws.group];
      }
      mlpUser.forward(values, ws.mu, 0, ws.leaders, 0, n / ws.group);
    } else {
      mlpUser.forward(values, ws.mu, 0, ws.users, 0, n);
    }
    mlpItem.forward(values, ws.mi, 0, ws.items, 0, n);
  }

  /** Sets the rows per user group of the coming passes (see {@link Workspace#group}); 1 when n is not a multiple. */
  static void group(Workspace ws, int n, int group) {
    ws.group = group > 1 && n % group == 0 ? group : 1;
  }

  /** Looks up the item embeddings of rows {@code 0..n)} and copies one user's rows ({@code g + e} floats) into each. */
  void gatherForUser(float[] values, Workspace ws, int n, float[] userVector) {
    ws.group = 1;
    gmfItem.forward(values, ws.gi, 0, ws.items, 0, n);
    mlpItem.forward(values, ws.mi, 0, ws.items, 0, n);
    for (int r = 0; r < n; r++) {
      System.arraycopy(userVector, 0, ws.gu, r * g, g);
      System.arraycopy(userVector, g, ws.mu, r * e, e);
    }
  }

  /** Logits of rows {@code 0..n)} into {@code ws.logits}, from the gathered embeddings. */
  void forward(float[] values, Workspace ws, int n, Mode mode) {
    float bias = values[predictBias.offset()];
    if (mode != Mode.MLP) {
      // φ_gmf = p_u ⊙ q_i
      for (int p = 0; p < n * g; p++) {
        ws.gmf[p] = ws.gu[p] * ws.gi[p];
      }
      predictGmf.forward(values, ws.logits, 0, ws.gmf, 0, n);
    } else {
      Arrays.fill(ws.logits, 0, n, 0f);
    }
    if (mode != Mode.GMF) {
      mlpForward(values, ws, n);
      predictMlp.forward(values, ws.part, 0, ws.a[widths.length - 1], 0, n);
      for (int r = 0; r < n; r++) {
        ws.logits[r] += ws.part[r];
      }
    }
    for (int r = 0; r < n; r++) {
      ws.logits[r] += bias;
    }
  }

  /** z_1 = W_u p' + b_1 + W_i q', a_l = act(z_l), z_{l+1} = W_{l+1} a_l + b_{l+1}. */
  private void mlpForward(float[] values, Workspace ws, int n) {
    int h0 = widths[0];
    if (ws.group > 1) {
      // z_1[r] = (W_u p'_u + b_1)[group of r] + W_i q'_i[r]
      firstUser.forward(values, ws.zu, 0, ws.mu, 0, n / ws.group);
      VectorOps.matMulTransB(ws.mi, 0, values, firstItem.weight().offset(), ws.z[0], 0, n, e, h0, false);
      for (int r = 0; r < n; r++) {
        int u = (r / ws.group) * h0;
        int o = r * h0;
        for (int j = 0; j < h0; j++) {
          ws.z[0][o + j] += ws.zu[u + j];
        }
      }
    } else {
      firstUser.forward(values, ws.z[0], 0, ws.mu, 0, n);
      VectorOps.matMulTransB(ws.mi, 0, values, firstItem.weight().offset(), ws.z[0], 0, n, e, h0, true);
    }
    activation.forward(ws.a[0], 0, ws.z[0], 0, n * h0);
    for (int l = 1; l < widths.length; l++) {
      hidden[l - 1].forward(values, ws.z[l], 0, ws.a[l - 1], 0, n);
      activation.forward(ws.a[l], 0, ws.z[l], 0, n * widths[l]);
    }
  }

  /**
   * Backward from {@code ws.dlogits}. With {@code grads} (the parameter set's gradient array), every
   * parameter gradient is accumulated and the touched table rows recorded; with {@code null} only
   * the user-side input gradients {@code ws.dgu} and {@code ws.dmu} are computed (folding a user
   * in: every parameter frozen but the user's own rows, which the caller holds).
   */
  void backward(float[] values, float[] grads, Workspace ws, int n, Mode mode) {
    if (grads == null && ws.group > 1) {
      throw new IllegalStateException("input gradients are computed per row: set the group to 1");
    }
    if (grads != null) {
      // forward: logit = … + b, so db = Σ_r dlogit_r
      float db = 0;
      for (int r = 0; r < n; r++) {
        db += ws.dlogits[r];
      }
      grads[predictBias.offset()] += db;
    }
    if (mode != Mode.MLP) {
      gmfBackward(values, grads, ws, n);
    }
    if (mode != Mode.GMF) {
      mlpBackward(values, grads, ws, n);
    }
  }

  /** forward: logit_gmf = h_gmf · (p_u ⊙ q_i); so dφ = dlogit·h, dp_u = dφ ⊙ q_i, dq_i = dφ ⊙ p_u. */
  private void gmfBackward(float[] values, float[] grads, Workspace ws, int n) {
    Arrays.fill(ws.dgmf, 0, n * g, 0f);
    if (grads != null) {
      predictGmf.backward(values, grads, ws.dgmf, 0, ws.dlogits, 0, ws.gmf, 0, n);
    } else {
      inputGradient(values, predictGmf, ws.dgmf, ws.dlogits, n);
    }
    for (int p = 0; p < n * g; p++) {
      ws.dgu[p] = ws.dgmf[p] * ws.gi[p];
      ws.dgi[p] = ws.dgmf[p] * ws.gu[p];
    }
    if (grads != null) {
      gmfUser.backward(grads, params.touched(gmfUser.table()), ws.dgu, 0, ws.users, 0, n);
      gmfItem.backward(grads, params.touched(gmfItem.table()), ws.dgi, 0, ws.items, 0, n);
    }
  }

  private void mlpBackward(float[] values, float[] grads, Workspace ws, int n) {
    int last = widths.length - 1;
    for (int l = 0; l <= last; l++) {
      Arrays.fill(ws.da[l], 0, n * widths[l], 0f);
      Arrays.fill(ws.dz[l], 0, n * widths[l], 0f);
    }
    if (grads != null) {
      predictMlp.backward(values, grads, ws.da[last], 0, ws.dlogits, 0, ws.a[last], 0, n);
    } else {
      inputGradient(values, predictMlp, ws.da[last], ws.dlogits, n);
    }
    for (int l = last; l >= 0; l--) {
      activation.backward(ws.dz[l], 0, ws.da[l], 0, ws.z[l], 0, n * widths[l]);
      if (l > 0) {
        if (grads != null) {
          hidden[l - 1].backward(values, grads, ws.da[l - 1], 0, ws.dz[l], 0, ws.a[l - 1], 0, n);
        } else {
          inputGradient(values, hidden[l - 1], ws.da[l - 1], ws.dz[l], n);
        }
      }
    }
    Arrays.fill(ws.dmu, 0, n * e, 0f);
    if (grads != null && ws.group > 1) {
      // the group's rows all read one z_u, so dz_u is the sum of their dz_1
      int h0 = widths[0];
      int groups = n / ws.group;
      Arrays.fill(ws.dzu, 0, groups * h0, 0f);
      for (int r = 0; r < n; r++) {
        int u = (r / ws.group) * h0;
        int o = r * h0;
        for (int j = 0; j < h0; j++) {
          ws.dzu[u + j] += ws.dz[0][o + j];
        }
      }
      Arrays.fill(ws.dmi, 0, n * e, 0f);
      firstUser.backward(values, grads, ws.dmu, 0, ws.dzu, 0, ws.mu, 0, groups);
      firstItem.backward(values, grads, ws.dmi, 0, ws.dz[0], 0, ws.mi, 0, n);
      mlpUser.backward(grads, params.touched(mlpUser.table()), ws.dmu, 0, ws.leaders, 0, groups);
      mlpItem.backward(grads, params.touched(mlpItem.table()), ws.dmi, 0, ws.items, 0, n);
    } else if (grads != null) {
      Arrays.fill(ws.dmi, 0, n * e, 0f);
      firstUser.backward(values, grads, ws.dmu, 0, ws.dz[0], 0, ws.mu, 0, n);
      firstItem.backward(values, grads, ws.dmi, 0, ws.dz[0], 0, ws.mi, 0, n);
      mlpUser.backward(grads, params.touched(mlpUser.table()), ws.dmu, 0, ws.users, 0, n);
      mlpItem.backward(grads, params.touched(mlpItem.table()), ws.dmi, 0, ws.items, 0, n);
    } else {
      inputGradient(values, firstUser, ws.dmu, ws.dz[0], n);
    }
  }

  /** As {@link Linear#backward} for the input only: forward {@code out = inp · Wᵀ}, so {@code dinp += dout · W}. */
  private static void inputGradient(float[] values, Linear layer, float[] dinp, float[] dout, int n) {
    VectorOps.matMul(dout, 0, values, layer.weight().offset(), dinp, 0, n, layer.outChannels(),
        layer.inChannels(), true);
  }

  /**
   * One training pass over rows {@code 0..n)} of the workspace (users, items and labels filled):
   * gather, forward, point-wise BCE {@code mean_r [softplus(s_r) - y_r s_r]}, and backward scaled by
   * {@code weight} into {@code params.grads()}. {@code group}: rows per user group (see {@link
   * Workspace#group}).
   *
   * @return the mean loss of the rows
   */
  float trainStep(Workspace ws, int n, Mode mode, float weight, int group) {
    float[] values = params.values();
    group(ws, n, group);
    gather(values, ws, n);
    forward(values, ws, n, mode);
    float loss = Losses.bceForward(ws.logits, 0, ws.labels, 0, null, 0, n);
    Arrays.fill(ws.dlogits, 0, n, 0f);
    Losses.bceBackward(ws.dlogits, 0, ws.logits, 0, ws.labels, 0, null, 0, n, weight);
    backward(values, params.grads(), ws, n, mode);
    if (regularization > 0) {
      regularizeTouchedRows(weight * regularization);
    }
    return loss;
  }

  /** The gradient of {@code (λ/2)‖e‖²}, {@code λ·e}, into every embedding row touched so far this step. */
  private void regularizeTouchedRows(float lambda) {
    float[] values = params.values();
    float[] grads = params.grads();
    for (Embedding table : new Embedding[] {gmfItem, gmfUser, mlpItem, mlpUser}) {
      Tensor t = table.table();
      io.perennial.nn.RowSet rows = params.touched(t);
      int c = t.cols();
      for (int j = 0; j < rows.size(); j++) {
        int at = t.offset() + rows.get(j) * c;
        for (int d = 0; d < c; d++) {
          grads[at + d] += lambda * values[at + d];
        }
      }
    }
  }

  // ---- scoring every item for one user ----

  /**
   * Writes the fused logit of items {@code 0..itemCount)} for a user given by their GMF and MLP
   * rows, {@code chunk} items at a time: the GMF part is {@code (h_gmf ⊙ p_u) · q_i}, one
   * matrix-vector product over the item table; the MLP's first layer is {@code W_i q'_i} for the
   * chunk's (contiguous) item rows plus {@code W_u p'_u + b_1}, computed once; then the remaining
   * layers as matrix products over the chunk. {@code itemProjection} ({@link #projectItems}, or
   * null) holds {@code W_i q'_i} for every item, computed once for a model that is not changing.
   */
  void scoreAll(float[] values, float[] userGmf, int gmfOff, float[] userMlp, int mlpOff, int itemCount,
      float[] out, Workspace ws, float[] itemProjection) {
    float bias = values[predictBias.offset()];
    float[] query = ws.dgu; // scratch: (h_gmf ⊙ p_u), g floats
    int h = predictGmf.weight().offset();
    for (int d = 0; d < g; d++) {
      query[d] = values[h + d] * userGmf[gmfOff + d];
    }
    int h0 = widths[0];
    float[] userPart = ws.userMlp;
    VectorOps.matMulTransB(userMlp, mlpOff, values, firstUser.weight().offset(), userPart, 0, 1, e, h0, false);
    int b1 = firstUser.bias().offset();
    for (int j = 0; j < h0; j++) {
      userPart[j] += values[b1 + j];
    }
    int last = widths.length - 1;
    for (int from = 0; from < itemCount; from += ws.rows) {
      int n = Math.min(ws.rows, itemCount - from);
      VectorOps.matMulTransB(query, 0, values, gmfItem.table().offset() + from * g, out, from, 1, g, n, false);
      if (itemProjection != null) {
        System.arraycopy(itemProjection, from * h0, ws.z[0], 0, n * h0);
      } else {
        VectorOps.matMulTransB(values, mlpItem.table().offset() + from * e, values, firstItem.weight().offset(),
            ws.z[0], 0, n, e, h0, false);
      }
      for (int r = 0; r < n; r++) {
        int o = r * h0;
        for (int j = 0; j < h0; j++) {
          ws.z[0][o + j] += userPart[j];
        }
      }
      activation.forward(ws.a[0], 0, ws.z[0], 0, n * h0);
      for (int l = 1; l <= last; l++) {
        hidden[l - 1].forward(values, ws.z[l], 0, ws.a[l - 1], 0, n);
        activation.forward(ws.a[l], 0, ws.z[l], 0, n * widths[l]);
      }
      // (n, M) · h_mlpᵀ (1, M) → (n, 1), added onto the GMF logits
      VectorOps.matMulTransB(ws.a[last], 0, values, predictMlp.weight().offset(), out, from, n, mlpOut(), 1, true);
      for (int r = 0; r < n; r++) {
        out[from + r] += bias;
      }
    }
  }

  /** {@code W_i q'_i} (items, h0) for items {@code 0..itemCount)}: the item half of the first layer. */
  float[] projectItems(float[] values, int itemCount) {
    float[] out = new float[Math.max(1, itemCount) * widths[0]];
    VectorOps.matMulTransB(values, mlpItem.table().offset(), values, firstItem.weight().offset(), out, 0,
        itemCount, e, widths[0], false);
    return out;
  }
}
