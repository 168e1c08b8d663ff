package dev.robin.bench;

import dev.robin.bench.server.ConfigOverlay;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of the servers a benchmark starts (picocli mixin of {@code bench} and {@code bench cluster}). */
public final class StartedServerOptions {

  /** The id a started server serves its model under. */
  static final String MODEL_ID = "bench";

  @Option(names = "--model", defaultValue = "synthetic:llama-75m",
      description = "Model spec of the server(s) the benchmark starts, served as `bench` (default: ${DEFAULT-VALUE}).")
  String modelSpec;

  @Option(names = "--server-arg", description = "Extra argument for `serve` (repeatable), e.g. --server-arg=--dtype=float16.")
  List<String> serverArgs = new ArrayList<>();

  @Option(names = "--server-config", defaultValue = "robin.rate-limits.enabled = false",
      description = "HOCON layered over the started server's configuration with serve --config; by default rate "
          + "limits are off, since a benchmark sends more requests than the unauthenticated limit allows "
          + "(default: ${DEFAULT-VALUE}; empty for none).")
  String serverConfig;

  @Option(names = "--startup-timeout", defaultValue = "600",
      description = "Seconds a started server may take to become ready (default: ${DEFAULT-VALUE}).")
  int startupTimeoutSeconds;

  /** {@code --model bench=<spec>}, the configuration overlay's {@code --config FILE}, then {@code --server-arg}s. */
  List<String> serveArgs() throws IOException {
    List<String> args = new ArrayList<>(List.of("--model", MODEL_ID + "=" + modelSpec));
    args.addAll(ConfigOverlay.serveArgs(serverConfig, serverArgs));
    return args;
  }

  Duration startupTimeout() {
    return Duration.ofSeconds(startupTimeoutSeconds);
  }

  /** These options as they would be typed, each with a leading space. */
  void appendTo(StringBuilder commandLine) {
    commandLine.append(" --model ").append(modelSpec);
    if (!serverConfig.isBlank()) {
      commandLine.append(" --server-config '").append(serverConfig).append("'");
    }
    serverArgs.forEach(a -> commandLine.append(" --server-arg=").append(a));
  }
}
