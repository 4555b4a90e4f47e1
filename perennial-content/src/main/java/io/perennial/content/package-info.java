/**
 * Item content: {@link io.perennial.content.ItemText} turns an item's metadata into one text
 * through a template, {@link io.perennial.content.MiniLmEncoder} encodes texts in-process with
 * all-MiniLM-L6-v2 (no network at run time), {@link io.perennial.content.CatalogEncoder} encodes a
 * catalogue reusing the unchanged texts of a previous {@link io.perennial.content.ItemEmbeddings}
 * file. Depends on {@code io.perennial.data} and {@code io.perennial.model} (progress) only.
 */
package io.perennial.content;
