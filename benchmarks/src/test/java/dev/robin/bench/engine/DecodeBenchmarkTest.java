package dev.robin.bench.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import dev.robin.engine.testkit.FakeRunner;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The step plans the decode benchmark feeds a runner: prompts first, then one token per sequence per step
 * at the right position, in the sequence's own KV blocks, fed back greedily.
 */
class DecodeBenchmarkTest {

  /**
   * A runner that records plans and predicts "previous token + 1" so greedy feedback is checkable; each step
   * takes 1 ms.
   */
  private static FakeRunner recordingRunner(int numBlocks) {
    return FakeRunner.builder()
        .numBlocks(numBlocks)
        .blockSize(4)
        .vocabSize(50)
        .nextToken(context -> (context[context.length - 1] + 1) % 50)
        .stepDelay(Duration.ofMillis(1))
        .build();
  }

  @Test
  void prefillsThenDecodesOneTokenPerSequencePerStep() {
    FakeRunner runner = recordingRunner(100);
    DecodeResult r = new DecodeBenchmark(runner, 10, 2, 3).run("m", "float32", 3);

    assertEquals(3 + 2 + 3, runner.plans().size(), "3 prefills, 2 warm-up and 3 timed steps");
    Set<Integer> blocksSeen = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      SequenceChunk prefill = runner.plans().get(i).chunks().get(0);
      assertEquals(10, prefill.numTokens());
      assertEquals(0, prefill.startPosition());
      assertEquals(4, prefill.blockTable().length, "ceil((10 + 2 + 3) / 4) blocks");
      for (int b : prefill.blockTable()) {
        assertTrue(blocksSeen.add(b), "block " + b + " shared between sequences");
      }
    }
    for (int step = 0; step < 5; step++) {
      StepPlan plan = runner.plans().get(3 + step);
      assertEquals(3, plan.chunks().size());
      for (int i = 0; i < 3; i++) {
        SequenceChunk c = plan.chunks().get(i);
        SequenceChunk prefill = runner.plans().get(i).chunks().get(0);
        assertEquals(prefill.sequenceId(), c.sequenceId());
        assertEquals(10 + step, c.startPosition());
        assertArrayEquals(prefill.blockTable(), c.blockTable());
        int lastPrompt = prefill.tokenIds()[9];
        assertEquals((lastPrompt + 1 + step) % 50, c.tokenIds()[0], "greedy token fed back");
        assertTrue(c.wantsLogits());
      }
    }
    assertEquals(3, r.batch());
    assertEquals(3, r.timedSteps());
    assertEquals(3, r.msPerStep().count());
    assertTrue(r.meanMsPerStep() >= 1, "a timed step includes the runner's 1 ms: " + r.meanMsPerStep());
    assertEquals(3 * 1000.0 / r.meanMsPerStep(), r.tokensPerSecond(), r.tokensPerSecond() * 1e-9);
  }

  @Test
  void refusesABatchThatDoesNotFitTheKvCache() {
    FakeRunner runner = recordingRunner(7);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new DecodeBenchmark(runner, 10, 2, 3).run("m", "f", 2));
    assertTrue(e.getMessage().contains("8 KV blocks"), e.getMessage());
  }

  @Test
  void blocksPerSequenceRoundsUp() {
    assertEquals(9, DecodeBenchmark.blocksPerSequence(128, 5, 5, 16));
    assertEquals(8, DecodeBenchmark.blocksPerSequence(120, 4, 4, 16));
  }
}
