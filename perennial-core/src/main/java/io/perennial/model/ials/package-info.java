/**
 * Implicit alternating least squares (Hu, Koren and Volinsky, "Collaborative Filtering for Implicit
 * Feedback Datasets", ICDM 2008) with the conjugate-gradient row solver of Takács, Pilászy and Tikk
 * (RecSys 2011). Each user row solves {@code x_u = (YᵀY + Yᵀ(C_u − I)Y + λI)⁻¹ YᵀC_u p_u} with
 * confidence {@code c_ui = 1 + α r_ui}; items likewise. Rows are independent given the other side,
 * so both half-steps run on all cores and the result does not depend on the thread count.
 */
package io.perennial.model.ials;
