/** Most-popular baseline, optionally time-decayed; also every model's fallback for unknown users. */
package io.perennial.model.popularity;
