package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.checkpoint.TensorSource;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.testkit.TestModels;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The runner's logits against {@link NaiveLlama}'s float64 loops, at every position after a prefill (one
 * chunk) and through teacher-forced decode steps. Error = max |runner − reference| / max |reference| over a
 * logits row (elementwise relative error is meaningless for logits near zero).
 */
class NaiveReferenceTest {

  static final double F32_TOLERANCE = 1e-4;
  /**
   * float16 keeps 11 significant bits (unit roundoff 4.9e-4); weights, activations and the KV cache are all
   * rounded, and the errors of some hundred roundings along the residual stream add up like a random walk, so
   * a few 1e-3 is what float16 gives (2.4e-3 measured on stories260k); 1e-2 of the logit range leaves margin
   * without hiding a real bug (a wrong rope, mask or norm gives errors of order 1).
   */
  private static final double F16_TOLERANCE = 1e-2;

  @Test
  void stories260kFloat32() {
    Checkpoint ckpt = Checkpoint.open(TestModels.stories260k());
    assertMatches(ckpt, ckpt.config(), DataType.FLOAT32, tokens(1, 512, 24), 12, F32_TOLERANCE);
  }

  @Test
  void stories260kFloat16() {
    Checkpoint ckpt = Checkpoint.open(TestModels.stories260k());
    assertMatches(ckpt, ckpt.config(), DataType.FLOAT16, tokens(2, 512, 24), 12, F16_TOLERANCE);
  }

  @Test
  void randomLlama25mShape() {
    ModelConfig cfg = RandomWeights.llama25m();
    assertMatches(new RandomWeights(7, 0.05, 0.2), cfg, DataType.FLOAT32, tokens(3, cfg.vocabSize(), 6), 3,
        F32_TOLERANCE);
  }

  @Test
  void qwen2WithBiasesAndLlama3RopeScaling() {
    ModelConfig cfg = qwen2Like(new ModelConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 64));
    assertMatches(new RandomWeights(11, 0.15, 0.2), cfg, DataType.FLOAT32, tokens(4, cfg.vocabSize(), 40), 20,
        F32_TOLERANCE);
  }

  @Test
  void linearRopeScaling() {
    ModelConfig cfg = qwen2Like(new ModelConfig.RopeScaling("linear", 4.0, 1.0, 4.0, 8192));
    assertMatches(new RandomWeights(12, 0.15, 0.2), cfg, DataType.FLOAT32, tokens(5, cfg.vocabSize(), 20), 10,
        F32_TOLERANCE);
  }

  /** A small Qwen2-style config: q/k/v biases, GQA 4/2, head_dim 16, untied head. */
  static ModelConfig qwen2Like(ModelConfig.RopeScaling scaling) {
    return new ModelConfig("Qwen2ForCausalLM", 64, 128, 2, 4, 2, 16, 300, 128, 1e-6, 10000.0, scaling, false,
        true, null, List.of(0), "float32", null);
  }

  static int[] tokens(long seed, int vocab, int n) {
    Random r = new Random(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(vocab);
    }
    return t;
  }

  /** Prefills {@code tokens[0, n-decoded)} then decodes the rest one by one, comparing every logits row. */
  static void assertMatches(
      TensorSource src, ModelConfig cfg, DataType dtype, int[] tokens, int decoded, double tolerance) {
    double[][] expected = new NaiveLlama(src, cfg).logits(tokens);
    try (LlamaRunner runner = LlamaRunner.create(src, cfg, Device.cpu(), dtype, 8, 16)) {
      int[] table = Generation.contiguousBlocks(0, tokens.length, 16);
      int prefill = tokens.length - decoded;
      double worst = 0;
      for (int pos = prefill - 1; pos < tokens.length; pos++) {
        SequenceChunk chunk = pos == prefill - 1
            ? new SequenceChunk(1, Arrays.copyOf(tokens, prefill), 0, table, true)
            : new SequenceChunk(1, new int[] {tokens[pos]}, pos, table, true);
        float[] got = Generation.step(runner, chunk).get(1L);
        double err = relativeError(got, expected[pos]);
        worst = Math.max(worst, err);
        assertTrue(err < tolerance, cfg.architecture() + " " + dtype + " position " + pos + ": error " + err);
      }
      System.out.printf("%s %s: worst relative error %.3g%n", cfg.architecture(), dtype, worst);
    }
  }

  static double relativeError(float[] got, double[] ref) {
    double maxDiff = 0;
    double maxRef = 0;
    for (int i = 0; i < ref.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    return maxDiff / maxRef;
  }
}
