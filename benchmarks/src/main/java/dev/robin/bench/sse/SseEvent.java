package dev.robin.bench.sse;

/**
 * One server-sent event: its {@code data} (several {@code data:} lines joined by newlines) and when its
 * first line arrived, which is what latency measurements need.
 *
 * @param data the event's data
 * @param receivedNanos {@link System#nanoTime()} when the event's first data line was read
 */
public record SseEvent(String data, long receivedNanos) {

  /** Whether this is the OpenAI end-of-stream marker {@code [DONE]}. */
  public boolean isDone() {
    return "[DONE]".equals(data.strip());
  }
}
