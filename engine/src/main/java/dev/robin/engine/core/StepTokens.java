package dev.robin.engine.core;

/**
 * The tokens one engine step computed, split by kind: what a step's duration is explained by.
 *
 * @param numDecodeTokens one per decoding sequence (its newest token)
 * @param numPromptTokens prompt tokens computed (prefix-cache hits excluded), including the recomputation of
 *     preempted sequences
 */
public record StepTokens(int numDecodeTokens, int numPromptTokens) {

  /** A step that computed nothing. */
  public static final StepTokens NONE = new StepTokens(0, 0);

  public StepTokens {
    if (numDecodeTokens < 0 || numPromptTokens < 0) {
      throw new IllegalArgumentException(
          "token counts must not be negative: " + numDecodeTokens + ", " + numPromptTokens);
    }
  }

  public int numTokens() {
    return numDecodeTokens + numPromptTokens;
  }

  public boolean isEmpty() {
    return numTokens() == 0;
  }
}
