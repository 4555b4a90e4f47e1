/**
 * Progressive optimisation: staged training that starts with a narrow factor model and widens it
 * while it trains ({@link io.perennial.model.progressive.ProgressiveConfig}); the widening itself is
 * {@code FactorModel.widenFactors}. Depends on nothing but the JDK.
 */
package io.perennial.model.progressive;
