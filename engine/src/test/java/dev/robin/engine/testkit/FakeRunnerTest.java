package dev.robin.engine.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FakeRunnerTest {

  private static StepPlan plan(SequenceChunk... chunks) {
    return new StepPlan(List.of(chunks), List.of());
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      best = logits[i] > logits[best] ? i : best;
    }
    return best;
  }

  @Test
  void theNextTokenIsReadBackThroughTheBlockTable() {
    FakeRunner runner = FakeRunner.of(8, 4, 100, context -> context.length + context[0]);
    // Sequence 1 writes [5, 6, 7, 8, 9] into blocks 3 and 6; sequence 2 decodes on block 3 as its prefix.
    Map<Long, float[]> first = runner.execute(plan(new SequenceChunk(1, new int[] {5, 6, 7, 8, 9}, 0,
        new int[] {3, 6}, true)));
    assertEquals(5 + 5, argmax(first.get(1L)));
    Map<Long, float[]> shared = runner.execute(plan(new SequenceChunk(2, new int[] {40}, 4, new int[] {3, 1}, true)));
    assertEquals(5 + 5, argmax(shared.get(2L)), "positions 0-3 come from block 3");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> runner.execute(plan(new SequenceChunk(3, new int[] {1}, 4, new int[] {2, 0}, true))));
    assertTrue(e.getMessage().contains("uncomputed position 0"), e.getMessage());
  }

  @Test
  void logitsOnlyForChunksThatWantThem() {
    FakeRunner runner = FakeRunner.of(4, 4, 10);
    Map<Long, float[]> logits = runner.execute(plan(new SequenceChunk(1, new int[] {1, 2}, 0, new int[] {0}, false),
        new SequenceChunk(2, new int[] {3}, 0, new int[] {1}, true)));
    assertEquals(List.of(2L), List.copyOf(logits.keySet()));
    int next = argmax(logits.get(2L));
    assertTrue(next >= 1 && next < 10, "the default rule never gives 0: " + next);
    assertEquals(10, logits.get(2L).length);
  }

  @Test
  void nextAfterLastTokenFollowsTheLastToken() {
    FakeRunner runner = FakeRunner.builder().vocabSize(100).nextAfterLastToken().build();
    float[] logits = runner.execute(plan(new SequenceChunk(7, new int[] {1, 2, 42}, 0, new int[] {0}, true))).get(7L);
    assertEquals(FakeRunner.next(42, 100), argmax(logits));
    assertEquals(1 + (42 * 7 + 3) % 99, FakeRunner.next(42, 100));
  }

  @Test
  void aSlidingWindowReadsOnlyTheWindow() {
    FakeRunner runner = FakeRunner.builder().numBlocks(4).blockSize(2).attentionWindow(3)
        .nextToken(context -> context.length * 10 + context[0]).build();
    runner.execute(plan(new SequenceChunk(1, new int[] {1, 2, 3, 4}, 0, new int[] {0, 1}, false)));
    // Block 0 (positions 0-1) is behind position 4's window (2-4): released, never read.
    float[] logits = runner.execute(plan(new SequenceChunk(1, new int[] {5}, 4, new int[] {-1, 1, 2}, true))).get(1L);
    assertEquals(3 * 10 + 3, argmax(logits));
    assertEquals(3, runner.attentionWindow());
  }

  @Test
  void failsOnTheChosenStepAndWhenTold() {
    IllegalStateException lost = new IllegalStateException("device lost");
    FakeRunner runner = FakeRunner.builder().failOnStep(2, lost).build();
    SequenceChunk chunk = new SequenceChunk(1, new int[] {1}, 0, new int[] {0}, true);
    runner.execute(plan(chunk));
    assertSame(lost, assertThrows(IllegalStateException.class, () -> runner.execute(plan(chunk))));
    runner.execute(plan(chunk));
    RuntimeException once = new RuntimeException("once");
    runner.failNextStep(once);
    assertSame(once, assertThrows(RuntimeException.class, () -> runner.execute(plan(chunk))));
    runner.execute(plan(chunk));
    assertEquals(3, runner.numSteps(), "failed steps are not recorded");
  }

  @Test
  void recordsWhatItWasAskedToDo() throws Exception {
    FakeRunner runner = FakeRunner.builder().stepDelay(Duration.ofMillis(5)).build();
    StepPlan first = plan(new SequenceChunk(1, new int[] {1, 2, 3}, 0, new int[] {0}, false));
    runner.execute(first);
    Thread other = new Thread(() -> runner.execute(plan(new SequenceChunk(1, new int[] {4}, 3, new int[] {0}, true),
        new SequenceChunk(2, new int[] {9}, 0, new int[] {1}, true))), "other-thread");
    other.start();
    other.join();
    assertEquals(2, runner.plans().size());
    assertSame(first, runner.plans().get(0));
    assertEquals(5, runner.numTokens());
    assertEquals(4, runner.computedTokens(1));
    assertEquals(1, runner.computedTokens(2));
    assertTrue(runner.wasScheduled(2));
    assertFalse(runner.wasScheduled(3));
    assertEquals(0, runner.computedTokens(3));
    assertTrue(runner.threadNames().contains("other-thread"), runner.threadNames().toString());
    assertEquals(2, runner.threadNames().size());
    assertTrue(runner.executeNanos() >= Duration.ofMillis(10).toNanos(), "two steps of 5 ms: " + runner.executeNanos());
    assertFalse(runner.isClosed());
    runner.close();
    assertTrue(runner.isClosed());
  }

  @Test
  void aroundARealRunnerRecordsItsStepsAndClosesIt() {
    FakeRunner real = FakeRunner.builder().numBlocks(9).blockSize(8).vocabSize(30).attentionWindow(16).build();
    FakeRunner spy = FakeRunner.around(real);
    assertEquals(9, spy.numBlocks());
    assertEquals(8, spy.blockSize());
    assertEquals(30, spy.vocabSize());
    assertEquals(16, spy.attentionWindow());
    StepPlan step = plan(new SequenceChunk(4, new int[] {1, 2}, 0, new int[] {0}, true));
    assertEquals(argmax(FakeRunner.of(9, 8, 30).execute(step).get(4L)), argmax(spy.execute(step).get(4L)));
    assertEquals(List.of(step), spy.plans());
    assertEquals(List.of(step), real.plans());
    assertEquals(2, spy.computedTokens(4));
    spy.close();
    assertTrue(real.isClosed());
  }
}
