package dev.robin.bench.load;

import dev.robin.bench.stats.LatencyHistogram;
import dev.robin.bench.stats.Percentiles;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The results of one concurrency level. Throughput counts only successful requests' tokens over the level's
 * whole wall time; latency distributions cover successful requests only.
 *
 * @param concurrency number of closed-loop workers
 * @param numRequests requests sent
 * @param numFailed requests that failed (HTTP error, broken or incomplete stream, error event)
 * @param numCompletionTokens completion tokens received by successful requests (usage, else chunks)
 * @param numContentChunks chunks with text received by successful requests
 * @param meanPromptTokens mean {@code usage.prompt_tokens} of successful requests, -1 if none reported it
 * @param numCachedPromptTokens prompt tokens of successful requests the server's prefix cache served
 *     ({@code usage.prompt_tokens_details.cached_tokens}): above 0 the level did not compute all its prompts
 * @param wallSeconds from the level's first send to its last response's end
 * @param outputTokensPerSecond {@code numCompletionTokens / wallSeconds}
 * @param requestsPerSecond successful requests per second
 * @param ttftMs time to first token: send → first chunk with text
 * @param itlMs inter-token latency: gaps between successive chunks with text, over all requests
 * @param tpotMs time per output token after the first, per request: (latency − TTFT) / (tokens − 1)
 * @param latencyMs request latency: send → end of stream
 * @param errors failure kinds (message up to its first colon or parenthesis, e.g. {@code HTTP 429}) → count
 * @param firstError the first failure's whole message, or null
 */
public record LevelSummary(
    int concurrency,
    int numRequests,
    int numFailed,
    long numCompletionTokens,
    long numContentChunks,
    double meanPromptTokens,
    long numCachedPromptTokens,
    double wallSeconds,
    double outputTokensPerSecond,
    double requestsPerSecond,
    Percentiles ttftMs,
    Percentiles itlMs,
    Percentiles tpotMs,
    Percentiles latencyMs,
    Map<String, Integer> errors,
    String firstError) {

  /** Summarises the requests of one level that ran for {@code wallNanos}. */
  public static LevelSummary of(int concurrency, List<RequestResult> results, long wallNanos) {
    LatencyHistogram ttft = new LatencyHistogram();
    LatencyHistogram itl = new LatencyHistogram();
    LatencyHistogram tpot = new LatencyHistogram();
    LatencyHistogram latency = new LatencyHistogram();
    Map<String, Integer> errors = new TreeMap<>();
    long tokens = 0;
    long chunks = 0;
    long promptTokens = 0;
    int numWithPromptTokens = 0;
    long cachedPromptTokens = 0;
    int failed = 0;
    String firstError = null;
    for (RequestResult r : results) {
      if (!r.succeeded()) {
        failed++;
        firstError = firstError == null ? r.error() : firstError;
        errors.merge(errorKind(r.error()), 1, Integer::sum);
        continue;
      }
      tokens += r.completionTokens();
      chunks += r.numContentChunks();
      if (r.usagePromptTokens() >= 0) {
        promptTokens += r.usagePromptTokens();
        numWithPromptTokens++;
      }
      cachedPromptTokens += Math.max(0, r.usageCachedPromptTokens());
      latency.recordNanos(r.latencyNanos());
      if (r.ttftNanos() >= 0) {
        ttft.recordNanos(r.ttftNanos());
        if (r.completionTokens() > 1) {
          tpot.recordNanos((r.endNanos() - r.firstContentNanos()) / (r.completionTokens() - 1));
        }
      }
      for (long gap : r.interTokenNanos()) {
        itl.recordNanos(gap);
      }
    }
    double seconds = wallNanos / 1e9;
    int ok = results.size() - failed;
    return new LevelSummary(
        concurrency,
        results.size(),
        failed,
        tokens,
        chunks,
        numWithPromptTokens > 0 ? (double) promptTokens / numWithPromptTokens : -1,
        cachedPromptTokens,
        seconds,
        seconds > 0 ? tokens / seconds : 0,
        seconds > 0 ? ok / seconds : 0,
        ttft.toMillis(),
        itl.toMillis(),
        tpot.toMillis(),
        latency.toMillis(),
        Map.copyOf(errors),
        firstError);
  }

  /**
   * Groups errors by their first clause (up to a colon or parenthesis), so that 64 timeouts with different
   * chunk counts make one line, not 64.
   */
  static String errorKind(String error) {
    int end = error.length();
    for (char c : new char[] {':', '('}) {
      int i = error.indexOf(c);
      if (i > 0 && i < end) {
        end = i;
      }
    }
    String kind = error.substring(0, end).strip();
    return kind.length() > 80 ? kind.substring(0, 80) : kind;
  }
}
