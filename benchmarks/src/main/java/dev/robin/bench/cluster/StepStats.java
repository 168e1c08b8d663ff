package dev.robin.bench.cluster;

import dev.robin.bench.metrics.MetricsPage;
import java.util.Map;

/**
 * A node's own replica during a level, from two readings of its {@code GET /metrics} (which covers only the
 * replicas on that node): how many requests it admitted, how much of the wall time it spent in engine steps,
 * and how long its steps were for how many tokens.
 *
 * @param requests requests admitted
 * @param busy fraction of the wall time spent in steps (all kinds)
 * @param decodeSteps steps with decode tokens only
 * @param decodeStepMs their mean duration
 * @param decodeBatch their mean tokens (sequences decoded per step)
 * @param mixedSteps steps with decode and prompt tokens
 * @param mixedStepMs their mean duration
 * @param mixedTokens their mean tokens
 * @param prefillSteps steps with prompt tokens only
 * @param prefillStepMs their mean duration
 */
public record StepStats(
    long requests,
    double busy,
    long decodeSteps,
    double decodeStepMs,
    double decodeBatch,
    long mixedSteps,
    double mixedStepMs,
    double mixedTokens,
    long prefillSteps,
    double prefillStepMs) {

  private static final String DURATION = "robin_model_step_duration_seconds";
  private static final String TOKENS = "robin_model_step_tokens";
  private static final String REQUESTS = "robin_model_requests_total";

  /** The figures between two {@link MetricsPage#parse parsed} pages read {@code seconds} apart. */
  static StepStats between(Map<String, Double> before, Map<String, Double> after, double seconds) {
    Delta d = new Delta(before, after);
    double stepSeconds = d.of(DURATION + "_sum|decode") + d.of(DURATION + "_sum|mixed") + d.of(DURATION + "_sum|prefill");
    long decode = Math.round(d.of(DURATION + "_count|decode"));
    long mixed = Math.round(d.of(DURATION + "_count|mixed"));
    long prefill = Math.round(d.of(DURATION + "_count|prefill"));
    return new StepStats(
        Math.round(d.of(REQUESTS)),
        seconds > 0 ? stepSeconds / seconds : 0,
        decode,
        mean(1000 * d.of(DURATION + "_sum|decode"), decode),
        mean(d.of(TOKENS + "_sum|decode"), decode),
        mixed,
        mean(1000 * d.of(DURATION + "_sum|mixed"), mixed),
        mean(d.of(TOKENS + "_sum|mixed"), mixed),
        prefill,
        mean(1000 * d.of(DURATION + "_sum|prefill"), prefill));
  }

  private static double mean(double sum, long count) {
    return count > 0 ? sum / count : Double.NaN;
  }

  private record Delta(Map<String, Double> before, Map<String, Double> after) {
    double of(String key) {
      return MetricsPage.delta(before, after, key);
    }
  }
}
