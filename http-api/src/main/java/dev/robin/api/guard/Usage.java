package dev.robin.api.guard;

/** Tokens one request consumed, reported to the guard when the request ends (also when the client left). */
public record Usage(String modelId, int promptTokens, int completionTokens, int cachedPromptTokens) {

  public int totalTokens() {
    return promptTokens + completionTokens;
  }
}
