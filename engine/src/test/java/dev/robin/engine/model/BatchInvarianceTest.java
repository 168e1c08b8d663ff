package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.checkpoint.TensorSource;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import dev.robin.engine.testkit.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sequences at different positions — some prefilling (whole, chunked, after a cached prefix), some decoding —
 * batched in the same steps give the logits and greedy tokens they give alone.
 */
class BatchInvarianceTest {

  private static final double TOLERANCE = 1e-5;
  private static final int BLOCK = 4;

  /** One sequence's chunks, one per step (null: not scheduled that step). */
  record Script(long id, int firstBlock, int[] tokens, List<int[]> chunkBounds) {}

  @Test
  void stories260kMixedSteps() {
    Checkpoint ckpt = Checkpoint.open(TestModels.stories260k());
    check(ckpt, ckpt.config());
  }

  @Test
  void qwen2LikeMixedSteps() {
    ModelConfig cfg = NaiveReferenceTest.qwen2Like(new ModelConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 64));
    check(new RandomWeights(3, 0.15, 0.2), cfg, 0);
  }

  @Test
  void attentionSplitIntoContextGroups() {
    // A tiny gather cap forces every chunk of a step into its own attention group.
    Checkpoint ckpt = Checkpoint.open(TestModels.stories260k());
    check(ckpt, ckpt.config(), 1);
  }

  private static void check(TensorSource src, ModelConfig cfg) {
    check(src, cfg, 0);
  }

  private static void check(TensorSource src, ModelConfig cfg, long maxGatherBytes) {
    int vocab = cfg.vocabSize();
    List<Script> scripts = List.of(
        // A: 7-token prompt in one step, then decodes.
        script(1, 0, NaiveReferenceTest.tokens(1, vocab, 12), 7, 1, 1, 1, 1, 1),
        // B: arrives a step later (a 0-length bound means "not scheduled"), 3-token prompt, then decodes.
        script(2, 8, NaiveReferenceTest.tokens(2, vocab, 8), 0, 3, 1, 1, 1, 1),
        // C: chunked prefill 5 + 4 + 2, then decodes.
        script(3, 16, NaiveReferenceTest.tokens(3, vocab, 14), 5, 4, 2, 1, 1, 1),
        // D: one long prompt that spans several blocks, then decodes.
        script(4, 24, NaiveReferenceTest.tokens(4, vocab, 22), 17, 1, 1, 1, 1, 1));
    try (LlamaRunner runner = LlamaRunner.create(src, cfg, Device.cpu(), DataType.FLOAT32, 64, BLOCK)) {
      if (maxGatherBytes > 0) {
        runner.maxGatherBytes(maxGatherBytes);
      }
      Map<String, float[]> alone = new HashMap<>();
      for (Script s : scripts) {
        for (int step = 0; step < s.chunkBounds().size(); step++) {
          SequenceChunk c = chunk(s, step, 0);
          if (c != null) {
            runner.execute(new StepPlan(List.of(c), List.of())).forEach((id, l) -> alone.put(id + "@" + c.contextLength(), l));
          }
        }
      }
      // Same scripts on other blocks (offset 32), all sequences of a step in one batch.
      int numSteps = scripts.stream().mapToInt(s -> s.chunkBounds().size()).max().orElse(0);
      int compared = 0;
      for (int step = 0; step < numSteps; step++) {
        List<SequenceChunk> batch = new ArrayList<>();
        for (Script s : scripts) {
          SequenceChunk c = chunk(s, step, 32);
          if (c != null) {
            batch.add(c);
          }
        }
        Map<Long, float[]> out = runner.execute(new StepPlan(batch, List.of()));
        for (SequenceChunk c : batch) {
          float[] expected = alone.get(c.sequenceId() + "@" + c.contextLength());
          assertEquals(c.wantsLogits(), expected != null);
          if (expected == null) {
            continue;
          }
          float[] got = out.get(c.sequenceId());
          double err = relativeError(got, expected);
          assertTrue(err < TOLERANCE, "sequence " + c.sequenceId() + " step " + step + ": error " + err);
          assertEquals(Generation.argmax(expected), Generation.argmax(got));
          compared++;
        }
      }
      assertTrue(compared >= 20, "compared " + compared + " logits rows");
    }
  }

  /** Chunk sizes per step; 0 = idle that step. */
  private static Script script(long id, int firstBlock, int[] tokens, int... sizes) {
    List<int[]> bounds = new ArrayList<>();
    int at = 0;
    for (int n : sizes) {
      bounds.add(n == 0 ? null : new int[] {at, at + n});
      at += n;
    }
    if (at > tokens.length) {
      throw new IllegalArgumentException("script longer than its tokens");
    }
    return new Script(id, firstBlock, tokens, bounds);
  }

  private static SequenceChunk chunk(Script s, int step, int blockOffset) {
    if (step >= s.chunkBounds().size() || s.chunkBounds().get(step) == null) {
      return null;
    }
    int[] b = s.chunkBounds().get(step);
    boolean promptDone = true;
    for (int later = step + 1; later < s.chunkBounds().size(); later++) {
      int[] nb = s.chunkBounds().get(later);
      promptDone &= nb == null || nb[1] - nb[0] == 1;
    }
    // A chunk wants logits when it completes the prompt or decodes; an intermediate prompt chunk does not.
    boolean wants = promptDone;
    int[] table = Generation.contiguousBlocks(s.firstBlock() + blockOffset, s.tokens().length, BLOCK);
    return new SequenceChunk(s.id(), Arrays.copyOfRange(s.tokens(), b[0], b[1]), b[0], table, wants);
  }

  private static double relativeError(float[] got, float[] ref) {
    double maxDiff = 0;
    double maxRef = 0;
    for (int i = 0; i < ref.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    return maxDiff / maxRef;
  }
}
