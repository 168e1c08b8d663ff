package dev.robin.engine.model;

import dev.robin.engine.checkpoint.HostTensor;
import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.checkpoint.TensorSource;
import dev.robin.engine.config.ModelConfig;
import java.util.List;
import java.util.Random;

/**
 * Synthetic weights for any config: normal(0, std) matrices and biases, norm weights near 1, deterministic
 * per tensor name and seed. Asks for exactly the shapes it is given and serves every name a Llama-family
 * checkpoint has (plus {@code lm_head.weight} unless tied).
 */
final class RandomWeights implements TensorSource {

  private final long seed;
  private final double std;
  private final double normJitter;

  RandomWeights(long seed, double std, double normJitter) {
    this.seed = seed;
    this.std = std;
    this.normJitter = normJitter;
  }

  /** normal(0, 0.02) matrices, norms exactly 1. */
  RandomWeights(long seed) {
    this(seed, 0.02, 0.0);
  }

  @Override
  public HostTensor tensor(String name, long... expectedShape) {
    if (!name.startsWith("model.") && !name.equals("lm_head.weight")) {
      throw new ModelLoadException("random weights: missing tensor " + name);
    }
    long n = 1;
    for (long d : expectedShape) {
      n *= d;
    }
    float[] data = new float[Math.toIntExact(n)];
    Random rnd = new Random(seed * 1_000_003L + name.hashCode());
    boolean norm = name.endsWith("norm.weight");
    for (int i = 0; i < data.length; i++) {
      data[i] = norm ? (float) (1 + normJitter * rnd.nextGaussian()) : (float) (std * rnd.nextGaussian());
    }
    return new HostTensor(name, expectedShape, data);
  }

  /** A Llama config of the given shape (no rope scaling, untied unless {@code tied}). */
  static ModelConfig llama(
      int hidden, int inter, int layers, int heads, int kvHeads, int vocab, boolean tied, int maxPositions) {
    return new ModelConfig("LlamaForCausalLM", hidden, inter, layers, heads, kvHeads, hidden / heads, vocab,
        maxPositions, 1e-5, 10000.0, null, tied, false, 1, List.of(2), "float32", null);
  }

  /** llama-25m: hidden 512, inter 1408, 8 layers, 8 heads, 8 KV heads, vocab 512, tied. */
  static ModelConfig llama25m() {
    return llama(512, 1408, 8, 8, 8, 512, true, 2048);
  }
}
