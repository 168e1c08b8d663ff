package dev.robin.api.guard;

/**
 * Tokens one request consumed, reported to the guard when the request ends (also when the client left).
 *
 * @param requestId the response id ({@code chatcmpl-…}, {@code cmpl-…}), unique per request
 */
public record Usage(String requestId, String modelId, int promptTokens, int completionTokens, int cachedPromptTokens) {

  public int totalTokens() {
    return promptTokens + completionTokens;
  }
}
