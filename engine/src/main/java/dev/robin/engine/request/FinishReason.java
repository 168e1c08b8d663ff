package dev.robin.engine.request;

/** Why a generation ended: the one set of reasons from the scheduler to the HTTP response. */
public enum FinishReason {
  /** It produced an end-of-sequence token, or the client's stop string matched. */
  STOP,
  /** It reached its {@code maxTokens}, the model's context, or the KV pool's capacity. */
  LENGTH,
  /** The server aborted it (cancelled, shutting down); the client did not ask for its end. */
  ABORTED,
  /** Its step failed (runner or sampler error); nothing more will come. */
  ERROR
}
