package dev.robin.bench.load;

/**
 * The measurements of one streamed request. Times are {@link System#nanoTime()} values.
 *
 * @param startNanos just before the request was sent
 * @param firstContentNanos when the first chunk with text arrived; -1 if none did
 * @param endNanos when the stream ended (or failed)
 * @param interTokenNanos gaps between successive chunks with text
 * @param numContentChunks chunks with text received
 * @param usageCompletionTokens {@code usage.completion_tokens} of the stream, -1 if the server sent none
 * @param usagePromptTokens {@code usage.prompt_tokens} of the stream, -1 if the server sent none
 * @param usageCachedPromptTokens {@code usage.prompt_tokens_details.cached_tokens}, -1 if the server sent no usage
 * @param finishReason the finish reason the server reported, or null
 * @param error why the request failed, or null when it succeeded
 */
public record RequestResult(
    long startNanos,
    long firstContentNanos,
    long endNanos,
    long[] interTokenNanos,
    int numContentChunks,
    int usageCompletionTokens,
    int usagePromptTokens,
    int usageCachedPromptTokens,
    String finishReason,
    String error) {

  public boolean succeeded() {
    return error == null;
  }

  /**
   * Completion tokens actually received: the server's usage count when it sent one (a chunk may carry
   * more than one token when a character spans tokens), else the number of chunks with text.
   */
  public int completionTokens() {
    return usageCompletionTokens >= 0 ? usageCompletionTokens : numContentChunks;
  }

  /** Time to first token, or -1 when no content arrived. */
  public long ttftNanos() {
    return firstContentNanos < 0 ? -1 : firstContentNanos - startNanos;
  }

  public long latencyNanos() {
    return endNanos - startNanos;
  }

  /** A failure recorded when no stream could be read at all. */
  static RequestResult failed(long startNanos, long endNanos, String error) {
    return new RequestResult(startNanos, -1, endNanos, new long[0], 0, -1, -1, -1, null, error);
  }
}
