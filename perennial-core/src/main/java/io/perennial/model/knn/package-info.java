/**
 * Item-based k-nearest-neighbours (Sarwar et al., "Item-based collaborative filtering
 * recommendation algorithms", WWW 2001; Deshpande and Karypis, "Item-based top-N recommendation
 * algorithms", TOIS 2004): cosine similarity with shrinkage, top-N neighbours per item.
 */
package io.perennial.model.knn;
