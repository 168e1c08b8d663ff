package dev.robin.bench.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** HOCON given on the benchmark's command line, handed to a started server as {@code serve --config FILE}. */
public final class ConfigOverlay {

  private ConfigOverlay() {}

  /**
   * {@code --config <temp file holding hocon>} when {@code hocon} is not blank (the file is deleted when the
   * benchmark exits), then {@code extra}.
   */
  public static List<String> serveArgs(String hocon, List<String> extra) throws IOException {
    List<String> args = new ArrayList<>();
    if (hocon != null && !hocon.isBlank()) {
      Path file = Files.createTempFile("robin-bench-", ".conf");
      file.toFile().deleteOnExit();
      Files.writeString(file, hocon + "\n");
      args.add("--config");
      args.add(file.toString());
    }
    args.addAll(extra);
    return List.copyOf(args);
  }
}
