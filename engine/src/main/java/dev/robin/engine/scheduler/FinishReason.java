package dev.robin.engine.scheduler;

/** Why a sequence stopped. */
public enum FinishReason {
  /** It produced an end-of-sequence token. */
  STOP,
  /** It reached its {@code maxTokens}, the model's context, or the KV pool's capacity. */
  LENGTH,
  /** Someone aborted it. */
  ABORTED,
  /** Its step failed (runner or sampler error); nothing more will come. */
  ERROR
}
