package io.perennial.optim;

import java.util.Locale;

/** The optimisation algorithms. */
public enum OptimizerKind {
  SGD,
  MOMENTUM,
  NESTEROV,
  ADAGRAD,
  RMSPROP,
  ADAM;

  public static OptimizerKind parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown optimizer '" + text + "' (expected sgd, momentum, nesterov, adagrad, rmsprop, adam)");
    }
  }
}
