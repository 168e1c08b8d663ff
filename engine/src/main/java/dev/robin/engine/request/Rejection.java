package dev.robin.engine.request;

/**
 * Why a request was refused before any work: nothing was generated and nothing is held. The HTTP layer maps
 * each reason to a status in one place.
 *
 * @param message safe to show a client
 */
public record Rejection(Reason reason, String message) {

  /** The reasons, from the client's point of view. */
  public enum Reason {
    /** The model's waiting queue is full; retry later. */
    QUEUE_FULL,
    /** The prompt alone can never fit the model's context or its KV pool. */
    CONTEXT_LENGTH_EXCEEDED,
    /** Malformed: an empty prompt, no tokens to generate, an id in use, unusable sampling parameters. */
    INVALID,
    /** The replica cannot take requests: it failed to load, or it is stopping. */
    UNAVAILABLE
  }

  public static Rejection invalid(String message) {
    return new Rejection(Reason.INVALID, message);
  }
}
