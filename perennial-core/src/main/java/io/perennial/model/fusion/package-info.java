/**
 * Model fusion: several trained models ranked as one ({@link io.perennial.model.fusion.FusionModel}),
 * by calibrated weighted score fusion, reciprocal-rank fusion, or weights stacked on a validation
 * split ({@link io.perennial.model.fusion.FusionTrainer}).
 */
package io.perennial.model.fusion;
