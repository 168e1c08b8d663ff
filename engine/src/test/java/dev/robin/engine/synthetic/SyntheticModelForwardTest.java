package dev.robin.engine.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.types.DataType;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.checkpoint.LlamaTensorLayout;
import dev.robin.engine.model.LlamaRunner;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A synthetic model goes through the same path as a real one: locator, Checkpoint.open, runner. */
class SyntheticModelForwardTest {

  @TempDir Path root;

  @Test
  void tinyRunsThroughTheRealForwardPassWithFiniteVariedLogits() throws IOException {
    Path dir = ModelLocator.resolve("synthetic:tiny", root);
    Checkpoint ckpt = Checkpoint.open(dir);
    LlamaTensorLayout.verify(ckpt);
    int[] prompt;
    try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir)) {
      prompt = Arrays.stream(tok.encode("Once upon a time, a robin").getIds()).mapToInt(Math::toIntExact).toArray();
    }
    try (LlamaRunner runner = LlamaRunner.create(ckpt, ckpt.config(), Device.cpu(), DataType.FLOAT32, 8, 16)) {
      Map<Long, float[]> out = runner.execute(new StepPlan(
          List.of(new SequenceChunk(1, prompt, 0, new int[] {0, 1}, true)), List.of()));
      float[] logits = out.get(1L);
      assertEquals(SyntheticPreset.VOCAB_SIZE, logits.length);
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (float v : logits) {
        assertTrue(Float.isFinite(v), "finite logits");
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assertTrue(max - min > 0.1f, "random weights give varied logits: " + min + ".." + max);
    }
  }
}
