package dev.robin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.bench.load.LevelSummary;
import dev.robin.bench.report.MachineInfo;
import java.util.List;

/**
 * The JSON document of a concurrency sweep ({@code bin/robin bench}).
 *
 * @param benchmark always {@code concurrency-sweep}
 * @param command the command line that produced it
 * @param serverUrl the benchmarked server
 * @param launched whether the benchmark started that server itself
 * @param modelSpec what {@code --model} of {@code serve} was (null for an external server)
 * @param model the model id requests named
 * @param serverHealth {@code GET /v1/health} after the sweep, as the server sent it (null if unavailable)
 */
public record SweepReport(
    String benchmark,
    MachineInfo machine,
    String command,
    String serverUrl,
    boolean launched,
    String modelSpec,
    String model,
    Settings settings,
    List<LevelSummary> levels,
    JsonNode serverHealth) {

  /**
   * How the requests were made.
   *
   * @param promptTokens tokens asked per prompt
   * @param promptSizing {@code tokenize}: each prompt is the longest with at most {@code promptTokens} tokens as
   *     the server counts them; {@code words}: the server could not count, one word per token was assumed
   */
  public record Settings(
      int maxTokens,
      int promptTokens,
      String promptSizing,
      boolean sharedPrefix,
      boolean ignoreEos,
      int warmupRequests,
      int warmupConcurrency,
      List<Integer> concurrency,
      List<Integer> requestsPerLevel,
      long seed) {}
}
