package dev.robin.serving.replica;

import dev.robin.engine.sampling.SampledToken;
import java.util.List;

/** What a model actor tells the requester of a {@link ModelProtocol.Generate}, in order. */
public sealed interface GenerationEvent {

  String requestId();

  /** The request was admitted to the waiting queue. */
  record Accepted(String requestId) implements GenerationEvent {}

  /** The sequence started computing; {@code cachedPromptTokens} prompt tokens came from the prefix cache. */
  record Started(String requestId, int cachedPromptTokens) implements GenerationEvent {}

  /** New tokens, in order (usually one per step). */
  record Tokens(String requestId, List<SampledToken> tokens) implements GenerationEvent {}

  /** Generation ended; no further event follows. */
  record Finished(
      String requestId, FinishReason reason, int promptTokens, int completionTokens, int cachedPromptTokens)
      implements GenerationEvent {}

  /** Refused before any work: nothing was generated and nothing is held. */
  record Rejected(String requestId, RejectReason reason, String message) implements GenerationEvent {}

  /** Failed after admission (an internal error); the message is safe to show a client. */
  record Failed(String requestId, String message) implements GenerationEvent {}

  /** Why a generation ended. */
  enum FinishReason {
    /** An end-of-sequence token. */
    STOP,
    /** {@code max_tokens} reached, or the model's context is full. */
    LENGTH,
    /** The requester cancelled (stop string matched, client gone). */
    CANCELLED
  }

  /** Why a request was refused. */
  enum RejectReason {
    OVERLOADED,
    SHUTTING_DOWN,
    CONTEXT_LENGTH_EXCEEDED,
    INVALID
  }
}
