package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.scheduler.SequenceChunk;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A lone chunk over consecutive blocks reads its context as a cache view instead of a gather. */
class ContextViewTest {

  private static final int BLOCK = 4;
  private static final ModelConfig CFG = RandomWeights.llama(64, 128, 2, 4, 2, 100, false, 64);

  @Test
  void consecutiveFirstBlockOnlyForALoneChunkOverConsecutiveBlocks() {
    assertEquals(5, plan(new SequenceChunk(1, new int[] {1}, 9, new int[] {5, 6, 7}, true)).get(0)
        .consecutiveFirstBlock());
    assertEquals(-1, plan(new SequenceChunk(1, new int[] {1}, 9, new int[] {5, 7, 6}, true)).get(0)
        .consecutiveFirstBlock());
    List<ContextGroup> two = plan(
        new SequenceChunk(1, new int[] {1}, 3, new int[] {0}, true),
        new SequenceChunk(2, new int[] {1}, 3, new int[] {1}, true));
    assertEquals(1, two.size());
    assertEquals(-1, two.get(0).consecutiveFirstBlock());
  }

  @Test
  void viewAndGatherGiveIdenticalLogits() {
    int[] prompt = {3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46};
    int[] consecutive = {2, 3, 4, 5};
    int[] scattered = {7, 0, 5, 2};
    float[][] viaView = decode(prompt, consecutive);
    float[][] viaGather = decode(prompt, scattered);
    for (int i = 0; i < viaView.length; i++) {
      assertArrayEquals(viaGather[i], viaView[i], "step " + i);
    }
  }

  /** Prefills {@code prompt}, then decodes three greedy tokens; returns the logits of each step. */
  private static float[][] decode(int[] prompt, int[] table) {
    try (LlamaRunner runner = LlamaRunner.create(new RandomWeights(3), CFG, Device.cpu(), DataType.FLOAT32, 8, BLOCK)) {
      float[][] logits = new float[4][];
      logits[0] = Generation.step(runner, new SequenceChunk(1, prompt, 0, table, true)).get(1L);
      for (int i = 1; i < logits.length; i++) {
        int token = Generation.argmax(logits[i - 1]);
        logits[i] = Generation.step(runner, new SequenceChunk(1, new int[] {token}, prompt.length + i - 1, table, true))
            .get(1L);
      }
      return logits;
    }
  }

  private static List<ContextGroup> plan(SequenceChunk... chunks) {
    return ContextGroup.plan(List.of(chunks), BLOCK, 8, 2, 2L * BLOCK * 16 * 4, 2, 1 << 20);
  }
}
