package io.perennial.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The accountant against published figures. */
class RdpAccountantTest {

  /**
   * TF-Privacy's compute_dp_sgd_privacy documents N = 60000, batch 256, noise 1.12, 60 epochs,
   * δ = 1e-5 as (2.92, 1e-5)-DP: q = 256/60000 and ceil(60 · 60000 / 256) = 14063 steps.
   */
  @Test
  void matchesTensorFlowPrivacysDocumentedMnistFigure() {
    RdpAccountant.Bound b = RdpAccountant.epsilon(256.0 / 60000, 1.12, 14063, 1e-5);
    assertThat(b.epsilon()).isCloseTo(2.92, within(0.01));
  }

  /**
   * Abadi et al. (2016), Section 3.1: q = 0.01, σ = 4, δ = 1e-5 and T = 10000 steps give
   * ε ≈ 1.26 with the moments accountant (9.34 with the strong composition theorem). The exact
   * RDP of the sampled Gaussian is at least as tight as their bound on the moments.
   */
  @Test
  void isAtLeastAsTightAsAbadiEtAlsMomentsAccountant() {
    double eps = RdpAccountant.epsilon(0.01, 4, 10_000, 1e-5).epsilon();
    assertThat(eps).isLessThanOrEqualTo(1.26).isGreaterThan(1.0);
  }

  @Test
  void withoutSamplingOneStepIsTheGaussianMechanismsRdp() {
    assertThat(RdpAccountant.stepRdp(1, 2, 8)).isCloseTo(8 / (2 * 4.0), within(1e-12));
    // small q: A_α ≈ 1 + C(α,2) q² (e^(1/σ²) − 1), the second-order term of the expansion
    double q = 1e-3;
    assertThat(RdpAccountant.stepRdp(q, 2, 4)).isCloseTo(6 * q * q * (Math.exp(0.25) - 1) / 3, within(1e-9));
  }

  @Test
  void moreNoiseOrFewerStepsSpendLess() {
    double base = RdpAccountant.epsilon(0.01, 1, 1000, 1e-5).epsilon();
    assertThat(RdpAccountant.epsilon(0.01, 2, 1000, 1e-5).epsilon()).isLessThan(base);
    assertThat(RdpAccountant.epsilon(0.01, 1, 100, 1e-5).epsilon()).isLessThan(base);
  }

  @Test
  void noiseForATargetReachesIt() {
    double sigma = RdpAccountant.noiseFor(4, 0.01, 2000, 1e-5);
    assertThat(RdpAccountant.epsilon(0.01, sigma, 2000, 1e-5).epsilon()).isLessThanOrEqualTo(4)
        .isGreaterThan(3.95);
  }
}
