package dev.robin.engine.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared, read-only test models: {@code -Drobin.shared} (set by surefire) or {@code ../../shared}. */
final class SharedModels {

  private SharedModels() {}

  static Path shared() {
    String prop = System.getProperty("robin.shared");
    if (prop != null && Files.isDirectory(Path.of(prop))) {
      return Path.of(prop);
    }
    // Tests run in the module directory; the shared data sits beside the repository.
    return Path.of("..", "..", "shared").toAbsolutePath().normalize();
  }

  static Path stories260k() {
    Path dir = shared().resolve("models").resolve("stories260k");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("shared test model not found at " + dir + " (set -Drobin.shared)");
    }
    return dir;
  }
}
