package dev.robin.engine.scheduler;

/**
 * A sequence to schedule.
 *
 * @param sequenceId caller-chosen id, unique among live sequences
 * @param promptIds prompt token ids, at least one
 * @param maxTokens most tokens to generate, at least one
 * @param ignoreEos whether an end-of-sequence token is generated like any other (vLLM's {@code ignore_eos}):
 *     the sequence then ends only at {@code maxTokens} or the end of the context
 */
public record SequenceRequest(long sequenceId, int[] promptIds, int maxTokens, boolean ignoreEos) {

  /** A sequence that stops at an end-of-sequence token. */
  public SequenceRequest(long sequenceId, int[] promptIds, int maxTokens) {
    this(sequenceId, promptIds, maxTokens, false);
  }
}
