package dev.robin.bench.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.robin.bench.metrics.MetricsPage;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mask time per step between two /metrics pages, with quantiles as Prometheus's histogram_quantile gives them. */
class MaskCostTest {

  private static String page(long b1, long b2, long inf, double sum, double masked, double stepSum, long steps) {
    return String.format(java.util.Locale.ROOT, """
        robin_model_step_mask_seconds_bucket{model="bench",le="1.0E-4"} %d
        robin_model_step_mask_seconds_bucket{model="bench",le="0.001"} %d
        robin_model_step_mask_seconds_bucket{model="bench",le="+Inf"} %d
        robin_model_step_mask_seconds_count{model="bench"} %d
        robin_model_step_mask_seconds_sum{model="bench"} %f
        robin_model_masked_sequences_total{model="bench"} %f
        robin_model_step_duration_seconds_count{kind="decode",model="bench"} %d
        robin_model_step_duration_seconds_sum{kind="decode",model="bench"} %f
        robin_model_step_mask_seconds_count{model="other"} 999
        """, b1, b2, inf, inf, sum, masked, steps, stepSum);
  }

  @Test
  void quantilesInterpolateWithinTheDeltaOfTheBuckets() {
    Map<String, Double> before = MetricsPage.parse(page(10, 10, 10, 0.0005, 20, 1.0, 10), "bench");
    // 100 more masked steps: 50 under 0.1 ms, 48 between 0.1 and 1 ms, 2 above 1 ms.
    Map<String, Double> after = MetricsPage.parse(page(60, 108, 110, 0.0505, 420, 3.0, 110), "bench");
    MaskCost m = MaskCost.between(before, after);
    assertEquals(100, m.maskedSteps());
    assertEquals(4.0, m.maskedPerStep(), 1e-9);
    assertEquals(0.1, m.p50Ms(), 1e-9, "the 50th of 100 is the top of the first bucket");
    assertEquals(1.0, m.p99Ms(), 1e-9, "the 99th falls in +Inf: the highest finite bound");
    assertEquals(0.5, m.meanMs(), 1e-9);
    assertEquals(20.0, m.stepMeanMs(), 1e-9);
    assertEquals(0.025, m.shareOfSteps(), 1e-9);
  }
}
