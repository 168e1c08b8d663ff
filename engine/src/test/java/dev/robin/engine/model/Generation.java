package dev.robin.engine.model;

import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Test driver: greedy decoding of one sequence on a runner, with contiguous blocks and optional chunking. */
final class Generation {

  private Generation() {}

  /** Index of the largest value, the lowest index on ties. */
  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Blocks {@code first, first+1, ...} covering {@code positions}. */
  static int[] contiguousBlocks(int first, int positions, int blockSize) {
    int n = (positions + blockSize - 1) / blockSize;
    int[] table = new int[n];
    for (int i = 0; i < n; i++) {
      table[i] = first + i;
    }
    return table;
  }

  /**
   * Feeds {@code prompt[from:]} in chunks of at most {@code chunk} tokens (positions before {@code from} must
   * already be cached), then decodes {@code numTokens} greedy tokens.
   */
  static int[] greedy(ModelRunner runner, long seqId, int firstBlock, int[] prompt, int from, int chunk, int numTokens) {
    int total = prompt.length + numTokens;
    int[] table = contiguousBlocks(firstBlock, total, runner.blockSize());
    float[] logits = null;
    int end;
    for (int start = from; start < prompt.length; start = end) {
      end = (int) Math.min(prompt.length, (long) start + chunk);
      boolean last = end == prompt.length;
      Map<Long, float[]> out = step(runner, new SequenceChunk(
          seqId, Arrays.copyOfRange(prompt, start, end), start, table, last));
      logits = last ? out.get(seqId) : null;
    }
    int[] generated = new int[numTokens];
    int pos = prompt.length;
    for (int i = 0; i < numTokens; i++) {
      generated[i] = argmax(logits);
      if (i + 1 < numTokens) {
        logits = step(runner, new SequenceChunk(seqId, new int[] {generated[i]}, pos++, table, true)).get(seqId);
      }
    }
    return generated;
  }

  static Map<Long, float[]> step(ModelRunner runner, SequenceChunk... chunks) {
    return runner.execute(new StepPlan(List.of(chunks), List.of()));
  }
}
