package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.gemm.PackedProjection;
import dev.robin.engine.gemm.Projection;
import dev.robin.engine.gemm.TorchProjection;
import dev.robin.engine.scheduler.SequenceChunk;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The runner's projections: packed (MKL) for float32 on the CPU, with the weight arrays freed and the packed
 * copies freed on close; PyTorch's linear when turned off or in float16; and the same logits either way, for
 * tied and untied heads and with a q/k/v bias.
 */
class ProjectionKernelTest {

  private static final int BLOCK = 16;

  private static ModelConfig qwenLike(boolean tied) {
    return new ModelConfig("Qwen2ForCausalLM", 64, 128, 2, 4, 2, 16, 300, 128, 1e-6, 10000.0, null, tied,
        true, null, List.of(0), "float32", null);
  }

  @Test
  void float32OnTheCpuPacksEveryProjectionAndFreesTheirArrays() {
    ModelConfig cfg = qwenLike(false);
    LlamaRunner runner = LlamaRunner.create(new RandomWeights(7), cfg, Device.cpu(), DataType.FLOAT32, 8, BLOCK);
    List<Projection> projections;
    try (runner) {
      LlamaWeights w = runner.weights();
      assertEquals("MKL packed SGEMM", w.projectionKernel());
      projections = w.projections();
      assertEquals(4 * cfg.numHiddenLayers() + 1, projections.size());
      projections.forEach(p -> assertInstanceOf(PackedProjection.class, p));
      // embedding, q/k/v biases and the final norm's scale stay arrays; the packed weights do not
      assertEquals(1 + cfg.numHiddenLayers(), w.arrays().size());
      assertTrue(w.arrays().stream().noneMatch(NDArray::isReleased));
    }
    projections.forEach(p -> assertTrue(((PackedProjection) p).isClosed(), "packed copy freed with the runner"));
  }

  @Test
  void turnedOffOrFloat16KeepsTorchLinear() {
    ModelConfig cfg = qwenLike(true);
    try (LlamaRunner off = LlamaRunner.create(
            new RandomWeights(7), cfg, Device.cpu(), DataType.FLOAT32, 8, BLOCK, false);
        LlamaRunner half = LlamaRunner.create(new RandomWeights(7), cfg, Device.cpu(), DataType.FLOAT16, 8, BLOCK)) {
      for (LlamaRunner r : List.of(off, half)) {
        r.weights().projections().forEach(p -> assertInstanceOf(TorchProjection.class, p));
      }
      assertTrue(off.weights().projectionKernel().contains("turned off"), off.weights().projectionKernel());
      assertTrue(half.weights().projectionKernel().contains("float32-only"), half.weights().projectionKernel());
    }
  }

  @Test
  void packedAndTorchGiveTheSameLogitsAndTokens() {
    for (boolean tied : new boolean[] {false, true}) {
      ModelConfig cfg = qwenLike(tied);
      int[] prompt = {5, 17, 99, 3, 250, 42, 7, 7, 7, 64, 128, 1, 2, 3, 4, 5, 6, 8, 9};
      try (LlamaRunner packed = LlamaRunner.create(new RandomWeights(3), cfg, Device.cpu(), DataType.FLOAT32, 8, BLOCK);
          LlamaRunner torch = LlamaRunner.create(
              new RandomWeights(3), cfg, Device.cpu(), DataType.FLOAT32, 8, BLOCK, false)) {
        int[] table = Generation.contiguousBlocks(0, 64, BLOCK);
        float[] a = Generation.step(packed, new SequenceChunk(1, prompt, 0, table, true)).get(1L);
        float[] b = Generation.step(torch, new SequenceChunk(1, prompt, 0, table, true)).get(1L);
        for (int i = 0; i < a.length; i++) {
          assertEquals(b[i], a[i], 1e-4 * (1 + Math.abs(b[i])), "tied " + tied + " logit " + i);
        }
        int[] fromPacked = Generation.greedy(packed, 2, 4, prompt, 0, 5, 12);
        int[] fromTorch = Generation.greedy(torch, 2, 4, prompt, 0, 5, 12);
        assertEquals(java.util.Arrays.toString(fromTorch), java.util.Arrays.toString(fromPacked), "tied " + tied);
      }
    }
  }
}
