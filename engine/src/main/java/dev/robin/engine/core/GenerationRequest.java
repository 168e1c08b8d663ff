package dev.robin.engine.core;

import dev.robin.engine.sampling.SamplingParams;

/**
 * A request to generate up to {@code maxTokens} tokens after {@code promptIds}.
 *
 * @param id caller-chosen id, unique among the engine's live sequences
 * @param promptIds prompt token ids
 * @param sampling how to pick each token
 * @param maxTokens most tokens to generate
 * @param ignoreEos vLLM's {@code ignore_eos}: an end-of-sequence token does not finish the sequence, only
 *     {@code maxTokens} or the end of the context does (benchmarks that need exactly N tokens)
 */
public record GenerationRequest(
    long id, int[] promptIds, SamplingParams sampling, int maxTokens, boolean ignoreEos) {

  /** A request that stops at an end-of-sequence token. */
  public GenerationRequest(long id, int[] promptIds, SamplingParams sampling, int maxTokens) {
    this(id, promptIds, sampling, maxTokens, false);
  }
}
