package dev.robin.serving.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.core.StepTokens;
import org.junit.jupiter.api.Test;

class StepStatsRecorderTest {

  private final StepStatsRecorder recorder = new StepStatsRecorder();

  /** Index of the bucket whose upper bound is {@code le}. */
  private static int bucket(StepHistogram h, double le) {
    for (int i = 0; i < h.numBuckets(); i++) {
      if (h.upperBound(i) == le) {
        return i;
      }
    }
    throw new AssertionError("no bucket le=" + le);
  }

  @Test
  void aDurationOnABoundLandsInThatBoundsBucketAndJustAboveInTheNext() {
    StepTokens decode = new StepTokens(4, 0);
    recorder.record(decode, 0.0);
    recorder.record(decode, 0.005);
    recorder.record(decode, Math.nextUp(0.005));
    recorder.record(decode, 0.1);
    recorder.record(decode, 5.0);
    recorder.record(decode, Math.nextUp(5.0));
    recorder.record(decode, 3600);
    StepHistogram h = recorder.snapshot().durationSeconds(StepKind.DECODE);
    assertEquals(2, h.bucketCount(bucket(h, 0.005)), "0 and exactly 5 ms");
    assertEquals(1, h.bucketCount(bucket(h, 0.01)), "just above 5 ms");
    assertEquals(1, h.bucketCount(bucket(h, 0.1)));
    assertEquals(1, h.bucketCount(bucket(h, 5.0)));
    assertEquals(2, h.bucketCount(bucket(h, Double.POSITIVE_INFINITY)), "beyond the last bound");
    assertEquals(7, h.count());
    assertEquals(0.005 + Math.nextUp(0.005) + 0.1 + 5.0 + Math.nextUp(5.0) + 3600, h.sum(), 1e-9);
    long previous = 0;
    for (int i = 0; i < h.numBuckets(); i++) {
      assertTrue(h.cumulativeCount(i) >= previous);
      previous = h.cumulativeCount(i);
    }
    assertEquals(h.count(), h.cumulativeCount(h.numBuckets() - 1));
  }

  @Test
  void tokensPerStepLandInPowerOfTwoBuckets() {
    recorder.record(new StepTokens(1, 0), 0.01);
    recorder.record(new StepTokens(3, 0), 0.01);
    recorder.record(new StepTokens(4, 0), 0.01);
    recorder.record(new StepTokens(64, 128), 0.01);
    recorder.record(new StepTokens(0, 9000), 0.01);
    StepStats s = recorder.snapshot();
    StepHistogram decode = s.numTokens(StepKind.DECODE);
    assertEquals(1, decode.bucketCount(bucket(decode, 1)));
    assertEquals(0, decode.bucketCount(bucket(decode, 2)));
    assertEquals(2, decode.bucketCount(bucket(decode, 4)), "3 and exactly 4");
    assertEquals(8.0, decode.sum());
    StepHistogram mixed = s.numTokens(StepKind.MIXED);
    assertEquals(1, mixed.bucketCount(bucket(mixed, 256)), "64 + 128 tokens");
    StepHistogram prefill = s.numTokens(StepKind.PREFILL);
    assertEquals(1, prefill.bucketCount(bucket(prefill, Double.POSITIVE_INFINITY)));
  }

  @Test
  void stepsAreClassifiedByWhatTheyComputed() {
    recorder.record(new StepTokens(8, 0), 0.02);
    recorder.record(new StepTokens(8, 120), 0.1);
    recorder.record(new StepTokens(8, 1), 0.03);
    recorder.record(new StepTokens(0, 512), 0.4);
    recorder.record(StepTokens.NONE, 1.0);
    StepStats s = recorder.snapshot();
    assertEquals(1, s.durationSeconds(StepKind.DECODE).count());
    assertEquals(2, s.durationSeconds(StepKind.MIXED).count());
    assertEquals(1, s.durationSeconds(StepKind.PREFILL).count());
    assertEquals(4, s.numStepsTotal(), "an empty step is not counted");
    assertEquals(0.13, s.durationSeconds(StepKind.MIXED).sum(), 1e-12);
    assertEquals(8 + 8 + 8, s.numDecodeTokensComputedTotal());
    assertEquals(120 + 1 + 512, s.numPromptTokensComputedTotal());
    assertThrows(IllegalArgumentException.class, () -> StepKind.of(StepTokens.NONE));
    assertEquals("mixed", StepKind.MIXED.label());
  }

  @Test
  void countersOnlyGrowAndSnapshotsNeverChange() {
    StepStats before = recorder.snapshot();
    assertSame(StepStats.EMPTY, before);
    long[] previous = {0, 0, 0};
    StepStats first = null;
    for (int i = 0; i < 50; i++) {
      recorder.record(new StepTokens(i % 3, i % 5 == 0 ? 1 : i), 0.001 * i);
      StepStats s = recorder.snapshot();
      first = first == null ? s : first;
      long[] now = {s.numStepsTotal(), s.numPromptTokensComputedTotal(), s.numDecodeTokensComputedTotal()};
      for (int k = 0; k < now.length; k++) {
        assertTrue(now[k] >= previous[k], "monotonic at step " + i);
      }
      previous = now;
    }
    assertEquals(0, before.numStepsTotal(), "the empty snapshot stayed empty");
    assertEquals(1, first.numStepsTotal(), "the first snapshot kept its single step");
    StepStats last = recorder.snapshot();
    assertSame(last, recorder.snapshot(), "no new copy without a new step");
    assertEquals(50, last.numStepsTotal());

    StepHistogram h = last.durationSeconds(StepKind.MIXED);
    long[] counts = h.bucketCounts();
    counts[0] += 1000;
    assertEquals(h.count(), last.durationSeconds(StepKind.MIXED).count(), "getters hand out copies");
    assertThrows(UnsupportedOperationException.class, () -> last.durationSeconds().put(StepKind.DECODE, h));
  }

  @Test
  void histogramsOfReplicasAddUpAndRejectBadShapes() {
    double[] bounds = {1, 2};
    StepHistogram a = StepHistogram.of(bounds, new long[] {1, 0, 2}, 7.5);
    StepHistogram b = StepHistogram.of(bounds, new long[] {0, 4, 1}, 9.0);
    StepHistogram sum = a.plus(b);
    assertArrayEquals(new long[] {1, 4, 3}, sum.bucketCounts());
    assertEquals(16.5, sum.sum());
    assertEquals(5, sum.cumulativeCount(1));
    assertEquals(8, sum.count());
    assertThrows(IllegalArgumentException.class, () -> a.plus(StepHistogram.empty(new double[] {1, 3})));
    assertThrows(IllegalArgumentException.class, () -> StepHistogram.of(bounds, new long[] {1, 2}, 0));
    assertThrows(IllegalArgumentException.class, () -> StepHistogram.of(new double[] {2, 1}, new long[3], 0));
    assertThrows(IllegalArgumentException.class, () -> StepHistogram.of(bounds, new long[] {1, -1, 0}, 0));
    double[] mutable = {1, 2};
    StepHistogram copied = StepHistogram.of(mutable, new long[3], 0);
    mutable[0] = 1.5;
    assertEquals(1.0, copied.upperBound(0), "the bounds were copied");
  }

  @Test
  void aModelsSummaryAddsItsReplicasSteps() {
    StepStatsRecorder other = new StepStatsRecorder();
    recorder.record(new StepTokens(2, 0), 0.01);
    other.record(new StepTokens(2, 0), 0.02);
    other.record(new StepTokens(0, 30), 0.2);
    ModelStatsBoard board = new ModelStatsBoard();
    board.publish("m#0", withSteps(recorder.snapshot()));
    board.publish("m#1", withSteps(other.snapshot()));
    StepStats steps = board.summary("m").orElseThrow().steps();
    assertEquals(2, steps.durationSeconds(StepKind.DECODE).count());
    assertEquals(1, steps.durationSeconds(StepKind.PREFILL).count());
    assertEquals(30, steps.numPromptTokensComputedTotal());
    assertEquals(4, steps.numDecodeTokensComputedTotal());
  }

  private static ModelStats withSteps(StepStats steps) {
    return new ModelStats("m", "cpu()", "test kernel", ModelStats.Status.READY, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, steps);
  }
}
