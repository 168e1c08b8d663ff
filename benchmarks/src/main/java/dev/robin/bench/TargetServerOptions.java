package dev.robin.bench;

import dev.robin.bench.load.ModelList;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which server and model a load benchmark measures (picocli mixin of {@code bench} and {@code bench structured}). */
public final class TargetServerOptions {

  @Option(names = "--url", description = "Benchmark this running server (e.g. http://127.0.0.1:8080) instead of starting one.")
  String url;

  @Option(names = "--model-name",
      description = "Model id to request (default: `bench` for a started server, the first listed one with --url).")
  String modelName;

  /** The model to request: {@code --model-name}, else a started server's, else the first the server lists. */
  String model(HttpClient http, URI apiBase, Map<String, String> headers, boolean started)
      throws InterruptedException {
    if (modelName == null && started) {
      modelName = StartedServerOptions.MODEL_ID;
    }
    if (modelName == null) {
      List<String> ids = ModelList.ids(http, apiBase, headers);
      if (ids.isEmpty()) {
        throw new IllegalStateException(apiBase + " lists no model; name one with --model-name");
      }
      modelName = ids.get(0);
    }
    return modelName;
  }

  /** {@code --url U} (and {@code --model-name M} with it), each with a leading space; nothing for a started server. */
  void appendTo(StringBuilder commandLine) {
    if (url != null) {
      commandLine.append(" --url ").append(url);
      if (modelName != null) {
        commandLine.append(" --model-name ").append(modelName);
      }
    }
  }
}
