package dev.robin.engine.tokenizer;

import java.nio.file.Path;

/** The read-only shared data (models, golden outputs): system property robin.shared, else ../shared. */
final class SharedData {

  private SharedData() {}

  static Path root() {
    String property = System.getProperty("robin.shared");
    Path path = property != null ? Path.of(property) : Path.of("..", "..", "shared");
    return path.toAbsolutePath().normalize();
  }

  static Path stories260k() {
    return root().resolve("models/stories260k");
  }

  static Path golden() {
    return root().resolve("golden/stories260k-golden.json");
  }
}
