package dev.robin.app.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The read-only shared models and golden files: system property {@code robin.shared} when it exists, else the
 * first {@code shared/} directory found walking up from the working directory (worktrees sit deeper than CI's
 * clone).
 */
final class SharedData {

  private SharedData() {}

  static Path root() {
    String property = System.getProperty("robin.shared");
    if (property != null && Files.isDirectory(Path.of(property, "models"))) {
      return Path.of(property);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared");
      if (Files.isDirectory(candidate.resolve("models"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no shared/ directory with models (set -Drobin.shared)");
  }

  static Path stories260k() {
    return root().resolve("models/stories260k");
  }

  static Path golden() {
    return root().resolve("golden/stories260k-golden.json");
  }
}
