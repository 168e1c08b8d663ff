package dev.robin.engine.scheduler;

/**
 * A sequence to schedule.
 *
 * @param sequenceId caller-chosen id, unique among live sequences
 * @param promptIds prompt token ids, at least one
 * @param maxTokens most tokens to generate, at least one
 */
public record SequenceRequest(long sequenceId, int[] promptIds, int maxTokens) {}
