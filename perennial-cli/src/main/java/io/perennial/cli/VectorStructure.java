package io.perennial.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.kernel.VectorOps;
import io.perennial.model.VectorRetrieval;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What makes a table of retrieval vectors easy or hard for a graph search, measured the same way on
 * a trained model and on generated vectors so the two can be compared (docs/BENCHMARKS.md, "1M-item
 * search"). The vectors are the search's own: items {@code [q_i, b_i]}, queries {@code [p_u, 1]}.
 *
 * @param logNormSd standard deviation of the log of the item norms (the spread the MIPS → L2 column
 *     has to even out)
 * @param maxOverMedianNorm largest item norm over the median one
 * @param topShare share of the items' second moment along their 1, 4 and 16 strongest directions
 * @param effectiveRank participation ratio {@code (Σλ)² / Σλ²} of that moment's eigenvalues
 * @param neighbourCosine median, over sampled items, of the cosine to the nearest other item
 * @param top10Z median over sampled queries of {@code (s₁₀ − mean) / sd} of the query's scores over all
 *     items: how far the top-10 stands out of the catalogue
 * @param top10Gap median of {@code (s₁₀ − s₁₀₀) / sd}: how far the 10th stands from the 100th, small when
 *     the top-10 is one of many near-ties
 */
record VectorStructure(double logNormSd, double maxOverMedianNorm, double[] topShare, double effectiveRank,
    double neighbourCosine, double top10Z, double top10Gap) {

  private static final int[] SHARES = {1, 4, 16};

  /** Measures {@code model}'s vectors with {@code queries} (users with a query vector), sampling from {@code seed}. */
  static VectorStructure of(VectorRetrieval model, int items, int[] queries, long seed) {
    int d = model.retrievalDims();
    int dims = d + 1;
    float[] vectors = model.retrievalItemVectors();
    float[] bias = model.retrievalItemBias();
    float[] rows = new float[items * dims];
    double[] logNorms = new double[items];
    double[] moment = new double[dims * dims];
    for (int i = 0; i < items; i++) {
      System.arraycopy(vectors, i * d, rows, i * dims, d);
      rows[i * dims + d] = bias == null ? 0 : bias[i];
      double sq = 0;
      for (int a = 0; a < dims; a++) {
        double x = rows[i * dims + a];
        sq += x * x;
        for (int b = 0; b <= a; b++) {
          moment[a * dims + b] += x * rows[i * dims + b];
        }
      }
      logNorms[i] = Math.log(Math.max(1e-30, Math.sqrt(sq)));
    }
    for (int a = 0; a < dims; a++) {
      for (int b = 0; b < a; b++) {
        moment[b * dims + a] = moment[a * dims + b];
      }
    }
    double[] eigen = symmetricEigenvalues(moment, dims);
    double total = 0;
    double squares = 0;
    for (double l : eigen) {
      total += Math.max(0, l);
      squares += l * l;
    }
    double[] shares = new double[SHARES.length];
    for (int s = 0; s < SHARES.length; s++) {
      double sum = 0;
      for (int p = 0; p < Math.min(SHARES[s], eigen.length); p++) {
        sum += Math.max(0, eigen[p]);
      }
      shares[s] = total == 0 ? 0 : sum / total;
    }
    double[] sortedLogNorms = logNorms.clone();
    Arrays.sort(sortedLogNorms);
    double median = sortedLogNorms[items / 2];
    double maxOverMedian = Math.exp(sortedLogNorms[items - 1] - median);

    SplittableRandom random = new SplittableRandom(seed);
    int probes = Math.min(100, items);
    double[] nearest = new double[probes];
    for (int p = 0; p < probes; p++) {
      int i = random.nextInt(items);
      double ni = Math.exp(logNorms[i]);
      double best = -1;
      for (int j = 0; j < items; j++) {
        if (j != i) {
          double c = VectorOps.dot(rows, i * dims, rows, j * dims, dims) / (ni * Math.exp(logNorms[j]));
          best = Math.max(best, c);
        }
      }
      nearest[p] = best;
    }

    int sampled = Math.min(200, queries.length);
    double[] z = new double[sampled];
    double[] gap = new double[sampled];
    float[] query = new float[dims];
    float[] scores = new float[items];
    int valid = 0;
    for (int q = 0; q < sampled; q++) {
      if (!model.retrievalQuery(queries[q], query)) {
        continue;
      }
      query[d] = 1;
      double sum = 0;
      double sq = 0;
      for (int i = 0; i < items; i++) {
        float s = VectorOps.dot(query, 0, rows, i * dims, dims);
        scores[i] = s;
        sum += s;
        sq += (double) s * s;
      }
      double mean = sum / items;
      double sd = Math.sqrt(Math.max(1e-30, sq / items - mean * mean));
      float[] sorted = scores.clone();
      Arrays.sort(sorted);
      double s10 = sorted[items - Math.min(10, items)];
      double s100 = sorted[items - Math.min(100, items)];
      z[valid] = (s10 - mean) / sd;
      gap[valid] = (s10 - s100) / sd;
      valid++;
    }
    return new VectorStructure(sd(logNorms), maxOverMedian, shares, total * total / Math.max(1e-300, squares),
        median(nearest, probes), median(z, valid), median(gap, valid));
  }

  String describe() {
    return String.format(Locale.ROOT, "log-norm s.d. %.3f, max/median norm %.2f, top-1/4/16 directions %.2f/%.2f/%.2f "
        + "of the moment (effective rank %.1f), nearest-item cosine %.3f, top-10 z %.2f, (s10 - s100)/sd %.3f",
        logNormSd, maxOverMedianNorm, topShare[0], topShare[1], topShare[2], effectiveRank, neighbourCosine, top10Z,
        top10Gap);
  }

  ObjectNode json() {
    ObjectNode node = Json.object();
    node.put("log_norm_sd", logNormSd);
    node.put("max_over_median_norm", maxOverMedianNorm);
    node.put("top1_direction_share", topShare[0]);
    node.put("top4_direction_share", topShare[1]);
    node.put("top16_direction_share", topShare[2]);
    node.put("effective_rank", effectiveRank);
    node.put("nearest_item_cosine_median", neighbourCosine);
    node.put("top10_z_median", top10Z);
    node.put("top10_minus_top100_over_sd_median", top10Gap);
    return node;
  }

  private static double sd(double[] x) {
    double mean = Arrays.stream(x).average().orElse(0);
    double sq = 0;
    for (double v : x) {
      sq += (v - mean) * (v - mean);
    }
    return Math.sqrt(sq / Math.max(1, x.length));
  }

  private static double median(double[] x, int n) {
    if (n == 0) {
      return Double.NaN;
    }
    double[] c = Arrays.copyOf(x, n);
    Arrays.sort(c);
    return c[n / 2];
  }

  /**
   * Eigenvalues of a symmetric {@code n × n} matrix (row-major), largest first, by cyclic Jacobi
   * rotations: exact enough and quick for the few dozen dimensions of a factor table.
   */
  static double[] symmetricEigenvalues(double[] matrix, int n) {
    double[] a = matrix.clone();
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      double diag = 0;
      for (int p = 0; p < n; p++) {
        diag += a[p * n + p] * a[p * n + p];
        for (int q = p + 1; q < n; q++) {
          off += a[p * n + q] * a[p * n + q];
        }
      }
      if (off <= 1e-22 * Math.max(diag, 1e-300)) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          double apq = a[p * n + q];
          if (Math.abs(apq) < 1e-300) {
            continue;
          }
          double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int r = 0; r < n; r++) {
            double arp = a[r * n + p];
            double arq = a[r * n + q];
            a[r * n + p] = c * arp - s * arq;
            a[r * n + q] = s * arp + c * arq;
          }
          for (int r = 0; r < n; r++) {
            double apr = a[p * n + r];
            double aqr = a[q * n + r];
            a[p * n + r] = c * apr - s * aqr;
            a[q * n + r] = s * apr + c * aqr;
          }
        }
      }
    }
    double[] values = new double[n];
    for (int p = 0; p < n; p++) {
      values[p] = a[p * n + p];
    }
    Arrays.sort(values);
    for (int p = 0; p < n / 2; p++) {
      double t = values[p];
      values[p] = values[n - 1 - p];
      values[n - 1 - p] = t;
    }
    return values;
  }
}
