/**
 * The hot loops: dot products, axpy, scaled adds, matrix-vector scoring, top-K selection and small
 * dense solves.
 *
 * <p>{@link io.perennial.kernel.VectorOps} is the single public facade. It checks arguments, then
 * calls one implementation chosen once at start-up: the {@code jdk.incubator.vector} path when that
 * module is present (the launcher adds {@code --add-modules jdk.incubator.vector}), else the scalar
 * path, logging why it fell back. Both paths are kept in parity by tests over sizes that straddle
 * the vector widths.
 */
package io.perennial.kernel;
