package dev.robin.serving.replica;

import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.sampling.SampledToken;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a model replica tells the requester of a {@link ModelActor.Generate}, in order: {@code Accepted} (or
 * {@code Rejected}), {@code Started}, {@code Tokens}…, then exactly one {@code Finished} or {@code Failed}. A
 * router that forwards the request also tells {@code Routed}, which may arrive before or among those.
 */
public sealed interface GenerationEvent extends ReplicaMessage {

  String requestId();

  /**
   * A router sent the request to {@code replica}, whose {@code Accepted} or {@code Rejected} follows: until then the
   * requester can watch that replica (and its node) and cancel there.
   */
  record Routed(String requestId, ActorRef<ModelActor.Command> replica) implements GenerationEvent {}

  /** The request was queued by {@code replica}: cancel it there. */
  record Accepted(String requestId, ActorRef<ModelActor.Command> replica) implements GenerationEvent {}

  /** The sequence started computing; {@code cachedPromptTokens} prompt tokens came from the prefix cache. */
  record Started(String requestId, int cachedPromptTokens) implements GenerationEvent {}

  /**
   * New tokens, in order: one event per step, or, while the requester has not acknowledged
   * {@link ModelActor#UNACKNOWLEDGED_TOKEN_EVENTS} of them, several steps' tokens in one later event. The
   * requester answers each with {@link ModelActor.TokensHandled} carrying {@code seq} (1, 2, … per request).
   */
  record Tokens(String requestId, int seq, List<SampledToken> tokens) implements GenerationEvent {}

  /** Generation ended; no further event follows. */
  record Finished(
      String requestId, FinishReason reason, int promptTokens, int completionTokens, int cachedPromptTokens)
      implements GenerationEvent {}

  /** Refused before any work: nothing was generated and nothing is held; no further event follows. */
  record Rejected(String requestId, Rejection rejection) implements GenerationEvent {}

  /** Failed after admission (an internal error); the message is safe to show a client. */
  record Failed(String requestId, String message) implements GenerationEvent {}
}
