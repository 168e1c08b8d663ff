package dev.robin.engine.model;

import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import java.util.Optional;
import static dev.robin.engine.model.NaiveReferenceTest.F32_TOLERANCE;
import static dev.robin.engine.model.NaiveReferenceTest.relativeError;
import static dev.robin.engine.model.NaiveReferenceTest.tokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.config.ModelConfig.SlidingWindow;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.core.SequenceOutput;
import dev.robin.engine.sampling.Samplers;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Sliding-window attention against {@link NaiveLlama}'s float64 loops: a random Mistral-shaped model with a
 * window of 7 on sequences several windows long, fed whole, in chunks that cross the window's edge, from a
 * cached prefix, and batched with sequences shorter than the window; a Qwen2 model whose layers differ; and
 * windows one off the right one, which must not match. Blocks of 4 positions, so whole blocks fall out of the
 * window. Error as in {@link NaiveReferenceTest}: max |runner − reference| / max |reference| over a row.
 */
class SlidingWindowReferenceTest {

  private static final int WINDOW = 7;
  private static final int BLOCK = 4;
  private static final int NUM_BLOCKS = 96;
  private static final RandomWeights WEIGHTS = new RandomWeights(21, 0.15, 0.2);
  private static final int[] TOKENS = tokens(31, 300, 40); // 40 positions: almost 6 windows

  /** Mistral-shaped: GQA 4/2, head_dim 16, untied head, no biases; the window on every layer. */
  static ModelConfig mistral(int window) {
    return new ModelConfig("MistralForCausalLM", 64, 128, 2, 4, 2, 16, 300, 128, 1e-6, 10000.0, null, false,
        false, null, List.of(0), "float32", SlidingWindow.everyLayer(window, 2));
  }

  /** {@link NaiveReferenceTest#qwen2Like} with three layers and the window on {@code slidingLayers} (if any). */
  static ModelConfig qwen2(int window, List<Integer> slidingLayers) {
    return new ModelConfig("Qwen2ForCausalLM", 64, 128, 3, 4, 2, 16, 300, 128, 1e-6, 10000.0, null, false, true,
        null, List.of(0), "float32", slidingLayers.isEmpty() ? null : new SlidingWindow(window, slidingLayers));
  }

  @Test
  void wholePrefillThenDecodeBeyondTheWindow() {
    ModelConfig cfg = mistral(WINDOW);
    assertChunksMatch(cfg, TOKENS, chunkEnds(TOKENS.length, 28, 28));
  }

  @Test
  void chunkedPrefillAcrossTheWindowEdge() {
    ModelConfig cfg = mistral(WINDOW);
    for (int chunk : new int[] {3, 5, 9}) { // shorter than, not dividing, and longer than the window
      assertChunksMatch(cfg, TOKENS, chunkEnds(TOKENS.length, 30, chunk));
    }
  }

  @Test
  void blocksReleasedBehindTheWindowMayBeOverwrittenByOthers() {
    ModelConfig cfg = mistral(WINDOW);
    double[][] expected = new NaiveLlama(WEIGHTS, cfg).logits(TOKENS);
    try (LlamaRunner runner = runner(cfg)) {
      assertEquals(WINDOW, runner.attentionWindow(), "every layer slides: blocks behind the window can go");
      int[] table = Generation.contiguousBlocks(0, TOKENS.length, BLOCK);
      Generation.step(runner, new SequenceChunk(1, Arrays.copyOf(TOKENS, 12), 0, table, false));
      int[] noise = tokens(77, 300, BLOCK);
      for (int pos = 12; pos < TOKENS.length; pos++) {
        // As KvCacheManager releases them: blocks wholly before the query's window start (pos - WINDOW + 1).
        for (int b = 0; b < (pos - WINDOW + 1) / BLOCK; b++) {
          if (table[b] >= 0) {
            int block = table[b];
            table[b] = -1;
            // Another sequence takes the freed block and writes its own keys and values into it.
            Generation.step(runner, new SequenceChunk(100 + pos, noise, 0, new int[] {block}, false));
          }
        }
        float[] got = Generation.step(runner,
            new SequenceChunk(1, new int[] {TOKENS[pos]}, pos, table, true)).get(1L);
        assertClose(got, expected[pos], "position " + pos + " with blocks behind the window reused");
      }
      assertTrue(table[5] < 0, "blocks were released on the way: " + Arrays.toString(table));
    }
  }

  @Test
  void anEngineStreamsFarBeyondAPoolItsWholeContextWouldNotFit() {
    ModelConfig cfg = mistral(WINDOW);
    int[] prompt = Arrays.copyOf(TOKENS, 12);
    int numTokens = 80; // 92 positions = 23 blocks of 4; the engine's pool has 8
    int[] expected;
    try (LlamaRunner reference = runner(cfg)) {
      expected = Generation.greedy(reference, 1, 0, prompt, 0, prompt.length, numTokens);
    }
    try (LlamaRunner small = LlamaRunner.create(WEIGHTS, cfg, Device.cpu(), DataType.FLOAT32, 8, BLOCK)) {
      // A step of 16 tokens at most: a window (7) and a whole chunk span at most 7 blocks of 4.
      SchedulerConfig config = SchedulerConfig.defaults(128, Set.of()).withBlockSize(BLOCK)
          .withMaxNumSeqs(4).withMaxNumBatchedTokens(16);
      EngineCore engine = new EngineCore(config,
          small, params -> Samplers.create(params, small.vocabSize()));
      assertTrue(engine.submit(
          new GenerationRequest("1", prompt, SamplingParams.GREEDY, numTokens, true)).isEmpty());
      List<Integer> got = new ArrayList<>();
      int maxUsed = 0;
      while (engine.hasWork()) {
        for (SequenceOutput out : engine.step()) {
          out.newTokens().forEach(t -> got.add(t.tokenId()));
        }
        maxUsed = Math.max(maxUsed, engine.stats().numKvBlocksUsed());
      }
      assertArrayEquals(expected, got.stream().mapToInt(Integer::intValue).toArray());
      assertTrue(maxUsed <= 4, "a window of 7 spans at most 3 blocks of 4, plus the one being filled: " + maxUsed);
      assertEquals(0, engine.stats().numKvBlocksUsed());
      assertEquals(0, engine.stats().numPreemptionsTotal(), "nothing had to be recomputed");
    }
  }

  @Test
  void aModelWithFullLayersKeepsEveryBlock() {
    try (LlamaRunner runner = runner(qwen2(WINDOW, List.of(1)))) {
      assertEquals(0, runner.attentionWindow());
    }
  }

  @Test
  void promptAfterACachedPrefix() {
    ModelConfig cfg = mistral(WINDOW);
    double[][] expected = new NaiveLlama(WEIGHTS, cfg).logits(TOKENS);
    try (LlamaRunner runner = runner(cfg)) {
      int cached = 20; // five whole blocks, as the prefix cache shares them; the window reaches back into them
      int[] owner = Generation.contiguousBlocks(0, TOKENS.length, BLOCK);
      Generation.step(runner, new SequenceChunk(1, Arrays.copyOf(TOKENS, 26), 0, owner, false));
      // Sequence 2 starts from sequence 1's blocks for positions 0-19, then has blocks of its own.
      int[] table = Generation.contiguousBlocks(40, TOKENS.length, BLOCK);
      System.arraycopy(owner, 0, table, 0, cached / BLOCK);
      int pos = cached;
      for (int end : new int[] {33, 34, 35, 36, 37, 38, 39, 40}) {
        float[] got = Generation.step(runner,
            new SequenceChunk(2, Arrays.copyOfRange(TOKENS, pos, end), pos, table, true)).get(2L);
        assertClose(got, expected[end - 1], "cached prefix, position " + (end - 1));
        pos = end;
      }
    }
  }

  /**
   * Sequences of 2 to 26 prompt tokens (shorter than, equal to and longer than the window) decode together;
   * one prompt arrives while the others decode, and a low gather cap splits the decode batch into groups.
   */
  @Test
  void batchMixingSequencesShorterAndLongerThanTheWindow() {
    ModelConfig cfg = mistral(WINDOW);
    NaiveLlama reference = new NaiveLlama(WEIGHTS, cfg);
    int[] prompts = {2, 6, 7, 8, 26, 15};
    int[] firstStep = {0, 0, 0, 0, 0, 3};
    int decodeSteps = 12;
    int n = prompts.length;
    int[][] seqTokens = new int[n][];
    double[][][] expected = new double[n][][];
    int[][] tables = new int[n][];
    for (int s = 0; s < n; s++) {
      seqTokens[s] = tokens(100 + s, 300, prompts[s] + decodeSteps);
      expected[s] = reference.logits(seqTokens[s]);
      tables[s] = Generation.contiguousBlocks(s * 12, seqTokens[s].length, BLOCK);
    }
    try (LlamaRunner runner = runner(cfg)) {
      runner.maxGatherBytes(2L * 16 * 2L * BLOCK * 16 * 4); // 16 blocks of both KV heads per decode group
      int[] next = new int[n]; // next position to feed per sequence
      int compared = 0;
      for (int step = 0; step <= firstStep[n - 1] + decodeSteps; step++) {
        List<SequenceChunk> chunks = new ArrayList<>();
        for (int s = n - 1; s >= 0; s--) { // the late prompt first: its rows come before the decodes' rows
          if (step < firstStep[s] || next[s] >= seqTokens[s].length) {
            continue;
          }
          int end = next[s] == 0 ? prompts[s] : next[s] + 1;
          chunks.add(new SequenceChunk(s, Arrays.copyOfRange(seqTokens[s], next[s], end), next[s], tables[s], true));
        }
        Map<Long, float[]> out = runner.execute(new StepPlan(chunks, List.of()));
        for (SequenceChunk c : chunks) {
          int s = (int) c.sequenceId();
          int last = c.contextLength() - 1;
          assertClose(out.get(c.sequenceId()), expected[s][last], "batch, sequence " + s + " position " + last);
          next[s] = c.contextLength();
          compared++;
        }
      }
      assertEquals(n * (decodeSteps + 1), compared, "every sequence's prompt and decode steps compared");
    }
  }

  /** Layers 0 and 1 attend to everything, layer 2 slides (Qwen2's max_window_layers = 2). */
  @Test
  void qwen2SlidesOnlyItsSlidingLayers() {
    ModelConfig cfg = qwen2(WINDOW, List.of(2));
    assertChunksMatch(cfg, TOKENS, chunkEnds(TOKENS.length, 20, 6));
    double[][] perLayer = new NaiveLlama(WEIGHTS, cfg).logits(TOKENS);
    double[][] everyLayer = new NaiveLlama(WEIGHTS, qwen2(WINDOW, List.of(0, 1, 2))).logits(TOKENS);
    double[][] noLayer = new NaiveLlama(WEIGHTS, qwen2(WINDOW, List.of())).logits(TOKENS);
    int last = TOKENS.length - 1;
    double layerChoice = difference(perLayer[last], everyLayer[last]);
    double windowItself = difference(perLayer[last], noLayer[last]);
    System.out.printf("qwen2: per-layer vs every layer %.3g, vs no window %.3g%n", layerChoice, windowItself);
    assertTrue(layerChoice > 100 * F32_TOLERANCE, "the layer choice matters: " + layerChoice);
    assertTrue(windowItself > 100 * F32_TOLERANCE, "the window matters: " + windowItself);
  }

  /**
   * A window one too large or too small gives different logits once positions exceed it, and the runner with
   * window w matches only the reference with window w.
   */
  @Test
  void offByOneWindowsDoNotMatch() {
    int[] tokens = Arrays.copyOf(TOKENS, 24);
    int[] ends = chunkEnds(tokens.length, 16, 16);
    for (int w = WINDOW - 1; w <= WINDOW + 1; w++) {
      List<float[]> got = run(mistral(w), tokens, ends);
      for (int other = WINDOW - 1; other <= WINDOW + 1; other++) {
        double[][] expected = new NaiveLlama(WEIGHTS, mistral(other)).logits(tokens);
        double worst = 0;
        for (int i = 0; i < ends.length; i++) {
          worst = Math.max(worst, relativeError(got.get(i), expected[ends[i] - 1]));
        }
        System.out.printf("runner window %d, reference window %d: error %.3g%n", w, other, worst);
        if (w == other) {
          assertTrue(worst < F32_TOLERANCE, "window " + w + ": error " + worst);
        } else {
          assertTrue(worst > 100 * F32_TOLERANCE, "runner window " + w + " vs reference " + other + ": " + worst);
        }
      }
    }
  }

  /** Feeds one sequence in the chunks ending at {@code ends} and compares each chunk's logits. */
  private static void assertChunksMatch(ModelConfig cfg, int[] tokens, int[] ends) {
    double[][] expected = new NaiveLlama(WEIGHTS, cfg).logits(tokens);
    List<float[]> got = run(cfg, tokens, ends);
    for (int i = 0; i < ends.length; i++) {
      assertClose(got.get(i), expected[ends[i] - 1], cfg.architecture() + " position " + (ends[i] - 1)
          + " after chunks ending at " + Arrays.toString(ends));
    }
  }

  private static List<float[]> run(ModelConfig cfg, int[] tokens, int[] ends) {
    List<float[]> out = new ArrayList<>();
    try (LlamaRunner runner = runner(cfg)) {
      int[] table = Generation.contiguousBlocks(0, tokens.length, BLOCK);
      int start = 0;
      for (int end : ends) {
        out.add(Generation.step(runner,
            new SequenceChunk(1, Arrays.copyOfRange(tokens, start, end), start, table, true)).get(1L));
        start = end;
      }
    }
    return out;
  }

  /** Prompt chunks of {@code chunk} tokens up to {@code prompt}, then one decode step per position. */
  private static int[] chunkEnds(int total, int prompt, int chunk) {
    List<Integer> ends = new ArrayList<>();
    for (int end = Math.min(chunk, prompt); ; end = Math.min(end + chunk, prompt)) {
      ends.add(end);
      if (end == prompt) {
        break;
      }
    }
    for (int p = prompt + 1; p <= total; p++) {
      ends.add(p);
    }
    return ends.stream().mapToInt(Integer::intValue).toArray();
  }

  private static LlamaRunner runner(ModelConfig cfg) {
    return LlamaRunner.create(WEIGHTS, cfg, Device.cpu(), DataType.FLOAT32, NUM_BLOCKS, BLOCK);
  }

  private static void assertClose(float[] got, double[] expected, String what) {
    double err = relativeError(got, expected);
    assertTrue(err < F32_TOLERANCE, what + ": error " + err);
  }

  private static double difference(double[] a, double[] b) {
    double maxDiff = 0;
    double maxRef = 0;
    for (int i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      maxRef = Math.max(maxRef, Math.abs(b[i]));
    }
    return maxDiff / maxRef;
  }
}
