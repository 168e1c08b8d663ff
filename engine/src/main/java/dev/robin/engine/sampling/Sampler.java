package dev.robin.engine.sampling;

/**
 * Picks a sequence's next token from the logits of its last position. A sampler belongs to one sequence:
 * it owns that sequence's seeded generator and the counts of the tokens it generated (for penalties),
 * so the same seed and prompt give the same tokens alone or in any batch.
 */
public interface Sampler {

  /**
   * Chooses the next token. {@code logits} is the row of the last position, length = vocabulary size; the
   * sampler may modify it in place.
   */
  SampledToken sample(float[] logits);

  /** Records a token that now belongs to the generated text (for presence and frequency penalties). */
  void accept(int tokenId);

  /** Records the sequence's prompt, once before its first token (for {@code repetition_penalty}). */
  default void prompt(int[] promptIds) {}
}
