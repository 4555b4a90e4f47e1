package io.perennial.model;

import io.perennial.privacy.PrivacyReport;

/** A model that can be trained with DP-SGD and reports the guarantee of its training. */
public interface DifferentiallyPrivate {

  /** The (ε, δ) its parameters were trained under, or {@code null} when trained without DP-SGD. */
  PrivacyReport privacy();
}
