/**
 * The continual-learning engine: an ordered, checkpointable event stream; update strategies that
 * keep a model fresh (static, full retrain, incremental fine-tune, per-event online, hybrid, and a
 * validation gate around any of them); and the prequential (test-then-learn) evaluator that shows
 * what each strategy buys in accuracy and costs in CPU.
 */
package io.perennial.continual;
