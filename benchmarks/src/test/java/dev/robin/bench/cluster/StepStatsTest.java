package dev.robin.bench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.bench.metrics.MetricsPage;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A replica's steps during a level, from two /metrics pages. */
class StepStatsTest {

  private static String page(double decodeSeconds, int decodeSteps, int decodeTokens, double mixedSeconds,
      int mixedSteps, int mixedTokens, int requests) {
    return String.format(java.util.Locale.ROOT, """
        # HELP robin_model_requests_total Requests admitted by a model
        # TYPE robin_model_requests_total counter
        robin_model_requests_total{model="bench"} %d.0
        robin_model_requests_total{model="other"} 999.0
        robin_model_step_duration_seconds_bucket{kind="decode",model="bench",le="0.05"} 3
        robin_model_step_duration_seconds_count{kind="decode",model="bench"} %d
        robin_model_step_duration_seconds_sum{kind="decode",model="bench"} %f
        robin_model_step_duration_seconds_count{kind="mixed",model="bench"} %d
        robin_model_step_duration_seconds_sum{kind="mixed",model="bench"} %f
        robin_model_step_tokens_count{kind="decode",model="bench"} %d
        robin_model_step_tokens_sum{kind="decode",model="bench"} %d.0
        robin_model_step_tokens_count{kind="mixed",model="bench"} %d
        robin_model_step_tokens_sum{kind="mixed",model="bench"} %d.0
        jvm_threads_live 40
        """, requests, decodeSteps, decodeSeconds, mixedSteps, mixedSeconds, decodeSteps, decodeTokens, mixedSteps,
        mixedTokens);
  }

  @Test
  void seriesOfTheModelAreKeyedByNameAndKind() {
    Map<String, Double> m = MetricsPage.parse(page(1.5, 10, 80, 0, 0, 0, 7), "bench");
    assertEquals(7.0, m.get("robin_model_requests_total"), "another model's series are left out");
    assertEquals(1.5, m.get("robin_model_step_duration_seconds_sum|decode"), 1e-9);
    assertEquals(80.0, m.get("robin_model_step_tokens_sum|decode"));
    assertEquals(40.0, m.get("jvm_threads_live"));
  }

  @Test
  void betweenTwoPagesTheStepsAreCountedTimedAndSized() {
    Map<String, Double> before = MetricsPage.parse(page(1.0, 10, 80, 2.0, 5, 300, 4), "bench");
    Map<String, Double> after = MetricsPage.parse(page(5.0, 110, 880, 6.0, 45, 2700, 20), "bench");
    StepStats s = StepStats.between(before, after, 10);
    assertEquals(16, s.requests());
    assertEquals(0.8, s.busy(), 1e-9, "8 s of steps in 10 s");
    assertEquals(100, s.decodeSteps());
    assertEquals(40.0, s.decodeStepMs(), 1e-9);
    assertEquals(8.0, s.decodeBatch(), 1e-9);
    assertEquals(40, s.mixedSteps());
    assertEquals(100.0, s.mixedStepMs(), 1e-9);
    assertEquals(60.0, s.mixedTokens(), 1e-9);
    assertEquals(0, s.prefillSteps());
    assertTrue(Double.isNaN(s.prefillStepMs()), "no prefill step: no mean");
  }
}
