/** The {@code random} baseline: the floor every other model's figures are read against. */
package io.perennial.model.random;
