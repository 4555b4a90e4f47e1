/**
 * Pretrain → fine-tune across catalogues: {@link io.perennial.model.transfer.ItemMatch} pairs a
 * source model's items with a target's (by id, by normalised title and year, by nearest text
 * vector), {@link io.perennial.model.transfer.PretrainedTrainer} starts a factor model from the
 * source's vectors (the content mapping for the unmatched) and fine-tunes it as a {@link
 * io.perennial.model.transfer.FineTune} says.
 */
package io.perennial.model.transfer;
