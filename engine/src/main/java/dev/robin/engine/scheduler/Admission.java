package dev.robin.engine.scheduler;

/**
 * The answer to adding a request: accepted, or refused with a reason and a message safe to show a client.
 */
public record Admission(Status status, String message) {

  /** Outcome of an admission. */
  public enum Status {
    ACCEPTED,
    /** The waiting queue is full; try later. */
    QUEUE_FULL,
    /** The prompt alone can never fit the model's context or the KV pool. */
    PROMPT_TOO_LONG,
    /** Malformed: empty prompt, non-positive maxTokens, or an id already in use. */
    INVALID
  }

  public static final Admission ACCEPTED = new Admission(Status.ACCEPTED, "accepted");

  public boolean isAccepted() {
    return status == Status.ACCEPTED;
  }

  static Admission refused(Status status, String message) {
    return new Admission(status, message);
  }
}
