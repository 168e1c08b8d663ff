package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The KV cache is written in place (never reallocated or copied) and a step leaves nothing behind. */
class PagedKvCacheTest {

  private static final ModelConfig CFG = RandomWeights.llama(64, 128, 2, 4, 2, 100, false, 64);

  @Test
  void writesLandInTheOriginalStorageAndPersist() {
    try (LlamaRunner runner = LlamaRunner.create(new RandomWeights(1), CFG, Device.cpu(), DataType.FLOAT32, 4, 8);
        NDManager probe = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      PtNDArray layer0 = runner.cache().layer(0);
      Object handle = layer0.getHandle();
      // A view made before any step: it only sees later writes if they go into the same storage.
      PtNDArray view = JniUtils.reshape(layer0, new long[] {-1});
      view.attach(probe);
      int slotWidth = 2 * 16; // key + value of one head: headDim 16
      assertEquals(0f, maxAbs(view.toFloatArray()));

      Generation.step(runner, new SequenceChunk(1, new int[] {5, 6, 7}, 0, new int[] {2}, true));
      float[] afterFirst = view.toFloatArray();
      float[] block2 = blockOf(afterFirst, 2, 8, slotWidth);
      assertTrue(maxAbs(block2) > 0, "the step's keys and values are visible through the old view");
      assertEquals(0f, maxAbs(blockOf(afterFirst, 0, 8, slotWidth)), "other blocks untouched");

      Generation.step(runner, new SequenceChunk(2, new int[] {9, 9}, 0, new int[] {0}, true));
      float[] afterSecond = view.toFloatArray();
      assertArrayEquals(block2, blockOf(afterSecond, 2, 8, slotWidth), "earlier writes persist");
      assertTrue(maxAbs(blockOf(afterSecond, 0, 8, slotWidth)) > 0);
      assertSame(layer0, runner.cache().layer(0));
      assertEquals(handle, runner.cache().layer(0).getHandle());
    }
  }

  @Test
  void stepsFreeEverythingTheyCreate() {
    try (LlamaRunner runner = LlamaRunner.create(new RandomWeights(1), CFG, Device.cpu(), DataType.FLOAT32, 8, 4)) {
      int before = runner.numLiveArrays();
      // The count covers the sub-managers (weights, cache), where a misattached result would land.
      assertTrue(before >= runner.weights().arrays().size() + CFG.numHiddenLayers(), "counted " + before);
      int[] table = {0, 1, 2, 3};
      Generation.step(runner, new SequenceChunk(1, new int[] {1, 2, 3, 4, 5}, 0, table, true));
      Generation.step(runner,
          new SequenceChunk(1, new int[] {6}, 5, table, true),
          new SequenceChunk(2, new int[] {7, 8, 9}, 0, new int[] {4, 5}, false));
      for (int i = 0; i < 5; i++) {
        Generation.step(runner, new SequenceChunk(1, new int[] {3}, 6 + i, table, true));
      }
      assertEquals(before, runner.numLiveArrays());
    }
  }

  @Test
  void badPlansFailBeforeTouchingTheDevice() {
    try (LlamaRunner runner = LlamaRunner.create(new RandomWeights(1), CFG, Device.cpu(), DataType.FLOAT32, 2, 4)) {
      assertThrows(IllegalArgumentException.class,
          () -> Generation.step(runner, new SequenceChunk(1, new int[] {1, 2, 3, 4, 5}, 0, new int[] {0}, true)));
      assertThrows(IllegalArgumentException.class,
          () -> Generation.step(runner, new SequenceChunk(1, new int[] {1}, 0, new int[] {7}, true)));
      assertThrows(IllegalArgumentException.class,
          () -> Generation.step(runner, new SequenceChunk(1, new int[] {100}, 0, new int[] {0}, true)));
      assertThrows(IllegalArgumentException.class,
          () -> Generation.step(runner, new SequenceChunk(1, new int[] {}, 0, new int[] {0}, true)));
      assertThrows(IllegalArgumentException.class, () -> runner.execute(new StepPlan(List.of(
          new SequenceChunk(1, new int[] {1}, 0, new int[] {0}, true),
          new SequenceChunk(1, new int[] {2}, 0, new int[] {1}, true)), List.of())));
      assertTrue(runner.execute(new StepPlan(List.of(), List.of())).isEmpty());
    }
  }

  @Test
  void bytesPerBlockCountsKeysAndValuesOfEveryLayer() {
    // 2 layers * 16 tokens * (key + value) * 2 KV heads * headDim 16 * 4 bytes
    assertEquals(2L * 16 * 2 * 2 * 16 * 4, PagedKvCache.bytesPerBlock(CFG, 16, 4));
  }

  /** Block b of a [kvHeads=2, numBlocks, blockSize, 2, headDim] cache, all heads. */
  private static float[] blockOf(float[] flat, int block, int blockSize, int slotWidth) {
    int numBlocks = flat.length / (2 * blockSize * slotWidth);
    int rowLen = blockSize * slotWidth;
    float[] out = new float[2 * rowLen];
    for (int h = 0; h < 2; h++) {
      System.arraycopy(flat, (h * numBlocks + block) * rowLen, out, h * rowLen, rowLen);
    }
    return out;
  }

  private static float maxAbs(float[] a) {
    float m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
