package dev.robin.engine.model;

import dev.robin.engine.config.ModelConfig;

/**
 * The dimensions the forward pass works with, derived once from a {@link ModelConfig}.
 *
 * @param hidden model width (the residual stream carries one more, constant column)
 * @param numHeads query heads
 * @param numKvHeads key/value heads (GQA: {@code numHeads} is a multiple)
 * @param headDim per-head width
 * @param intermediate MLP width
 * @param vocabSize logits per token
 */
record LlamaShape(int hidden, int numHeads, int numKvHeads, int headDim, int intermediate, int vocabSize) {

  static LlamaShape of(ModelConfig c) {
    return new LlamaShape(
        c.hiddenSize(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.intermediateSize(),
        c.vocabSize());
  }

  int queriesPerKv() {
    return numHeads / numKvHeads;
  }

  /** Width of the fused q|k|v projection. */
  int ropeWidth() {
    return (numHeads + 2 * numKvHeads) * headDim;
  }

  /** Heads that RoPE rotates: every query and key head. */
  int numRotatedHeads() {
    return numHeads + numKvHeads;
  }

  int qWidth() {
    return numHeads * headDim;
  }

  int kvWidth() {
    return 2 * numKvHeads * headDim;
  }

  /** Rotate-half partner of each element of the q|k|v row (identity on value heads). */
  long[] rotatePartners() {
    long[] p = new long[ropeWidth()];
    int half = headDim / 2;
    for (int i = 0; i < p.length; i++) {
      int j = i % headDim;
      boolean rotated = i < numRotatedHeads() * headDim;
      p[i] = !rotated ? i : j < half ? i + half : i - half;
    }
    return p;
  }
}
