package dev.robin.api.guard;

/** The kinds of route a {@link RequestGuard} tells apart (limits differ per kind). */
public enum Endpoint {
  MODELS,
  CHAT_COMPLETIONS,
  COMPLETIONS,
  TOKENIZE,
  /** Never rate limited (the contract says so); a guard should pass it through. */
  HEALTH,
  METRICS
}
