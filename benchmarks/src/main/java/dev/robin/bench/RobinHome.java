package dev.robin.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Robin checkout the benchmark runs from: {@code -Drobin.home} (set by bin/robin), else the working directory. */
final class RobinHome {

  private RobinHome() {}

  static Path get() {
    String home = System.getProperty("robin.home");
    Path p = home != null ? Path.of(home) : Path.of("").toAbsolutePath();
    if (home == null && !Files.exists(p.resolve("bin/robin")) && Files.exists(p.resolve("../bin/robin"))) {
      p = p.resolve("..").normalize();
    }
    return p.toAbsolutePath();
  }
}
