package io.perennial.model.fusion;

import com.fasterxml.jackson.databind.JsonNode;
import io.perennial.model.Algorithms;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ensemble of trained models.
 *
 * @param members the algorithms fused, by name ({@code ials}, {@code itemknn}, {@code bpr}, …), each
 *     at most once; a fusion cannot be a member
 * @param memberConfigs per member name, JSON overrides of that member's defaults (absent: defaults)
 * @param method {@code stacked}: weights fitted on a validation split held out of the training data
 *     (each user's latest {@code validationFraction} of events), maximising NDCG@{@code fitK} of the
 *     fused ranking; {@code weighted}: the given {@code weights} (equal when empty); {@code rrf}:
 *     reciprocal-rank fusion, {@code Σ w / (rrfK + rank)}, equal weights unless given
 * @param calibration how a member's scores are made comparable before the weighted sum, over the
 *     user's candidates: {@code zscore} ({@code (s − mean) / sd}) or {@code rank} ({@code 1 − (rank − 1) / |C|});
 *     ignored by {@code rrf}
 * @param weights one weight per member for {@code weighted} and {@code rrf} (empty: equal)
 * @param candidates each member contributes its top this-many unseen items to a user's candidates
 *     (the union is ranked); 0 = every unseen item
 * @param rrfK the constant of reciprocal-rank fusion (60 in Cormack et al.)
 * @param validationFraction share of each user's latest training events held out to fit {@code stacked} weights
 * @param refit after fitting the weights, retrain the members on all the training data (true) or
 *     fine-tune the held-out ones on the held-out events (false: cheaper)
 * @param fitK the cut-off of the NDCG the weights maximise
 * @param seed not used by the fusion itself (each member has its own); kept for uniformity
 */
public record FusionConfig(List<String> members, Map<String, JsonNode> memberConfigs, String method,
    String calibration, List<Float> weights, int candidates, float rrfK, float validationFraction, boolean refit,
    int fitK, long seed) {

  /** The methods {@code method} accepts. */
  public static final List<String> METHODS = List.of("stacked", "weighted", "rrf");
  /** The calibrations {@code calibration} accepts. */
  public static final List<String> CALIBRATIONS = List.of("zscore", "rank");

  /** Checks the fields. */
  public FusionConfig {
    if (members == null || members.isEmpty()) {
      throw new IllegalArgumentException("members: name at least one model to fuse, e.g. [\"ials\", \"itemknn\", \"bpr\"]");
    }
    members = List.copyOf(members);
    Set<String> seen = new HashSet<>();
    for (String m : members) {
      if (m == null || !Algorithms.NAMES.contains(m) || m.equals(FusionModel.TYPE)) {
        throw new IllegalArgumentException("members: '" + m + "' is not a model that can be fused (expected any of "
            + Algorithms.NAMES.stream().filter(n -> !n.equals(FusionModel.TYPE)).toList() + ")");
      }
      if (!seen.add(m)) {
        throw new IllegalArgumentException("members: '" + m + "' is listed twice");
      }
    }
    memberConfigs = memberConfigs == null ? Map.of() : new LinkedHashMap<>(memberConfigs);
    for (String name : memberConfigs.keySet()) {
      if (!members.contains(name)) {
        throw new IllegalArgumentException("memberConfigs: '" + name + "' is not one of the members " + members);
      }
    }
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("method must be one of " + METHODS + ", got '" + method + "'");
    }
    if (!CALIBRATIONS.contains(calibration)) {
      throw new IllegalArgumentException("calibration must be one of " + CALIBRATIONS + ", got '" + calibration + "'");
    }
    weights = weights == null ? List.of() : List.copyOf(weights);
    if (!weights.isEmpty()) {
      if (weights.size() != members.size()) {
        throw new IllegalArgumentException("weights: " + weights.size() + " given for " + members.size() + " members");
      }
      if (weights.stream().anyMatch(w -> w == null || !(w >= 0) || Float.isInfinite(w))
          || weights.stream().allMatch(w -> w == 0)) {
        throw new IllegalArgumentException("weights must be finite, >= 0 and not all 0, got " + weights);
      }
    }
    if (candidates < 0) {
      throw new IllegalArgumentException("candidates must be >= 0 (0 = every item), got " + candidates);
    }
    if (!(rrfK >= 0) || Float.isInfinite(rrfK)) {
      throw new IllegalArgumentException("rrfK must be finite and >= 0, got " + rrfK);
    }
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new IllegalArgumentException("validationFraction must be in (0, 1), got " + validationFraction);
    }
    if (fitK < 1) {
      throw new IllegalArgumentException("fitK must be >= 1, got " + fitK);
    }
  }

  /** iALS, item-kNN and BPR, stacked on z-scores over each member's top 200. */
  public static FusionConfig defaults() {
    return new FusionConfig(List.of("ials", "itemknn", "bpr"), Map.of(), "stacked", "zscore", List.of(), 200, 60f,
        0.2f, true, 10, 42L);
  }

  /** The calibration in effect: {@code rrf} for reciprocal-rank fusion, else {@link #calibration}. */
  String effectiveCalibration() {
    return method.equals("rrf") ? "rrf" : calibration;
  }

  /** The weights before any fitting: the given ones, or equal. */
  float[] initialWeights() {
    float[] w = new float[members.size()];
    for (int m = 0; m < w.length; m++) {
      w[m] = weights.isEmpty() ? 1f / w.length : weights.get(m);
    }
    return w;
  }
}
