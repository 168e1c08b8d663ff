package dev.robin.bench.structured;

import dev.robin.bench.metrics.MetricsPage;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the token masks cost the server's steps during a run, from two readings of its {@code /metrics}: per step
 * with constrained sequences, the time spent on their masks (p50 and p99 interpolated within the histogram's
 * buckets, as Prometheus's {@code histogram_quantile} does; the mean exactly), and that time's share of all step
 * time.
 *
 * @param maskedSteps steps with at least one constrained sequence
 * @param maskedPerStep constrained sequences per such step, mean
 * @param p50Ms mask time per step, median
 * @param p99Ms mask time per step, 99th percentile
 * @param meanMs mask time per step, mean
 * @param stepMeanMs all steps' mean duration in the same window
 * @param shareOfSteps mask time / all step time
 */
public record MaskCost(
    long maskedSteps, double maskedPerStep, double p50Ms, double p99Ms, double meanMs, double stepMeanMs,
    double shareOfSteps) {

  static final String MASK = "robin_model_step_mask_seconds";
  static final String MASKED = "robin_model_masked_sequences_total";
  static final String STEP = "robin_model_step_duration_seconds";
  private static final String[] KINDS = {"decode", "mixed", "prefill"};

  public static MaskCost between(Map<String, Double> before, Map<String, Double> after) {
    long steps = Math.round(MetricsPage.delta(before, after, MASK + "_count"));
    double maskSeconds = MetricsPage.delta(before, after, MASK + "_sum");
    double stepSeconds = 0;
    long allSteps = 0;
    for (String kind : KINDS) {
      stepSeconds += MetricsPage.delta(before, after, STEP + "_sum|" + kind);
      allSteps += Math.round(MetricsPage.delta(before, after, STEP + "_count|" + kind));
    }
    TreeMap<Double, Double> buckets = new TreeMap<>();
    String prefix = MASK + "_bucket|";
    for (String key : after.keySet()) {
      if (key.startsWith(prefix)) {
        String le = key.substring(prefix.length());
        buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
            MetricsPage.delta(before, after, key));
      }
    }
    return new MaskCost(
        steps,
        steps > 0 ? MetricsPage.delta(before, after, MASKED) / steps : Double.NaN,
        1000 * quantile(buckets, 0.50),
        1000 * quantile(buckets, 0.99),
        steps > 0 ? 1000 * maskSeconds / steps : Double.NaN,
        allSteps > 0 ? 1000 * stepSeconds / allSteps : Double.NaN,
        stepSeconds > 0 ? maskSeconds / stepSeconds : Double.NaN);
  }

  /**
   * The {@code q} quantile of cumulative bucket counts by upper bound: linear within the bucket it falls in (from
   * the previous bound, or 0); the highest finite bound when it falls in +Inf; NaN without observations.
   */
  static double quantile(TreeMap<Double, Double> cumulative, double q) {
    Double total = cumulative.get(Double.POSITIVE_INFINITY);
    if (total == null || total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (Map.Entry<Double, Double> b : cumulative.entrySet()) {
      if (b.getValue() >= rank) {
        if (b.getKey().isInfinite()) {
          return lowerBound;
        }
        double inBucket = b.getValue() - lowerCount;
        return inBucket <= 0 ? b.getKey() : lowerBound + (b.getKey() - lowerBound) * (rank - lowerCount) / inBucket;
      }
      lowerBound = b.getKey();
      lowerCount = b.getValue();
    }
    return lowerBound;
  }
}
