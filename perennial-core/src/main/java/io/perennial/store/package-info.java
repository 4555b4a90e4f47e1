/**
 * Model files: the checkpoint format (magic, format version, JSON header with model type, config and
 * provenance, then little-endian sections each with a CRC32C), atomic writes, and embedding export
 * as {@code .npy} and CSV.
 */
package io.perennial.store;
