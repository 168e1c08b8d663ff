package dev.robin.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Throughput and percentile arithmetic on synthetic timings (milliseconds below, recorded as nanos). */
class LevelSummaryTest {

  private static final long MS = 1_000_000;

  /** A request sent at {@code startMs}, first token after {@code ttftMs}, then {@code tokens-1} gaps of {@code gapMs}. */
  private static RequestResult ok(long startMs, long ttftMs, long gapMs, int tokens) {
    return ok(startMs, ttftMs, gapMs, tokens, 0);
  }

  private static RequestResult ok(long startMs, long ttftMs, long gapMs, int tokens, int cachedPromptTokens) {
    long[] gaps = new long[tokens - 1];
    java.util.Arrays.fill(gaps, gapMs * MS);
    long first = (startMs + ttftMs) * MS;
    long end = first + (tokens - 1) * gapMs * MS;
    return new RequestResult(startMs * MS, first, end, gaps, tokens, tokens, 10, cachedPromptTokens, "length", null);
  }

  @Test
  void throughputIsTokensOfSuccessfulRequestsOverWallTime() {
    List<RequestResult> rs = List.of(ok(0, 100, 10, 64), ok(0, 100, 10, 64),
        RequestResult.failed(0, 5 * MS, "HTTP 503: {\"error\":{}}"));
    LevelSummary s = LevelSummary.of(2, rs, 2_000 * MS);
    assertEquals(3, s.numRequests());
    assertEquals(1, s.numFailed());
    assertEquals(128, s.numCompletionTokens());
    assertEquals(64.0, s.outputTokensPerSecond(), 1e-9);
    assertEquals(1.0, s.requestsPerSecond(), 1e-9);
    assertEquals(Map.of("HTTP 503", 1), s.errors());
    assertEquals("HTTP 503: {\"error\":{}}", s.firstError());
  }

  @Test
  void cachedPromptTokensOfSuccessfulRequestsAddUp() {
    List<RequestResult> rs = List.of(ok(0, 100, 10, 64, 96), ok(0, 100, 10, 64, 0), ok(0, 100, 10, 64, 16),
        RequestResult.failed(0, 5 * MS, "HTTP 503"));
    assertEquals(112, LevelSummary.of(3, rs, 2_000 * MS).numCachedPromptTokens());
  }

  @Test
  void percentilesOfTtftItlAndLatency() {
    List<RequestResult> rs = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      rs.add(ok(0, i, 20, 5)); // TTFT 1..100 ms, 4 gaps of 20 ms, latency i + 80 ms
    }
    LevelSummary s = LevelSummary.of(4, rs, 1_000 * MS);
    assertEquals(100, s.ttftMs().count());
    assertEquals(50.0, s.ttftMs().p50(), 0.05);
    assertEquals(90.0, s.ttftMs().p90(), 0.1);
    assertEquals(99.0, s.ttftMs().p99(), 0.1);
    assertEquals(1.0, s.ttftMs().min(), 0.001);
    assertEquals(100.0, s.ttftMs().max(), 0.1);
    assertEquals(50.5, s.ttftMs().mean(), 0.05);
    assertEquals(400, s.itlMs().count());
    assertEquals(20.0, s.itlMs().p50(), 0.02);
    assertEquals(20.0, s.itlMs().p99(), 0.02);
    assertEquals(20.0, s.tpotMs().p50(), 0.02);
    assertEquals(130.0, s.latencyMs().p50(), 0.15);
    assertEquals(179.0, s.latencyMs().p99(), 0.2);
    assertEquals(500.0, s.outputTokensPerSecond(), 1e-9);
    assertNull(s.firstError());
  }

  @Test
  void errorsAreGroupedByKind() {
    LevelSummary s = LevelSummary.of(1, List.of(
        RequestResult.failed(0, MS, "timed out after 600 s (3 chunks received)"),
        RequestResult.failed(0, MS, "timed out after 600 s (62 chunks received)"),
        RequestResult.failed(0, MS, "HTTP 429: {\"error\":{}}")), MS);
    assertEquals(Map.of("timed out after 600 s", 2, "HTTP 429", 1), s.errors());
    assertEquals("timed out after 600 s (3 chunks received)", s.firstError());
  }

  @Test
  void noSuccessfulRequestsGivesEmptyDistributionsNotAnError() {
    LevelSummary s = LevelSummary.of(1, List.of(RequestResult.failed(0, MS, "request failed: refused")), MS);
    assertEquals(0, s.ttftMs().count());
    assertEquals(0.0, s.outputTokensPerSecond());
    assertEquals(Map.of("request failed", 1), s.errors());
  }
}
