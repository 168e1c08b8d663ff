package dev.robin.engine.core;

import dev.robin.engine.sampling.SamplingParams;

/**
 * A request to generate up to {@code maxTokens} tokens after {@code promptIds}.
 *
 * @param id caller-chosen id, unique among the engine's live sequences
 * @param promptIds prompt token ids
 * @param sampling how to pick each token
 * @param maxTokens most tokens to generate
 */
public record GenerationRequest(long id, int[] promptIds, SamplingParams sampling, int maxTokens) {}
