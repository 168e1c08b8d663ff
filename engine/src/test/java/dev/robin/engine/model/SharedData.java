package dev.robin.engine.model;

import java.nio.file.Path;

/** Where the read-only shared models and golden files are: {@code robin.shared}, else {@code ../../shared}. */
final class SharedData {

  private SharedData() {}

  static Path root() {
    return Path.of(System.getProperty("robin.shared", "../../shared"));
  }

  static Path stories260k() {
    return root().resolve("models/stories260k");
  }

  static Path golden() {
    return root().resolve("golden/stories260k-golden.json");
  }
}
