package io.perennial.realdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared datasets from the {@code perennial.datasets} system property. Unset: the
 * real-data tests are skipped (a fresh machine without the data). Set but missing: they fail.
 */
public final class RealData {

  private RealData() {}

  /** The folder of one dataset, e.g. {@code ml-latest-small}. */
  public static Path dataset(String name) {
    String configured = System.getProperty("perennial.datasets", "");
    assumeTrue(!configured.isBlank(), "perennial.datasets not set; real-data tests skipped");
    Path root = Path.of(configured);
    if (!root.isAbsolute()) {
      String base = System.getProperty("perennial.root", "");
      root = (base.isBlank() ? Path.of("") : Path.of(base)).resolve(root);
    }
    Path dir = root.resolve(name).normalize();
    assertThat(Files.isDirectory(dir))
        .as("perennial.datasets=%s is set but %s does not exist", configured, dir)
        .isTrue();
    return dir;
  }
}
