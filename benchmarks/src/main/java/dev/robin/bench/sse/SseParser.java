package dev.robin.bench.sse;

import java.util.Optional;

/**
 * Turns the lines of a {@code text/event-stream} body into events, as the HTML SSE specification says:
 * {@code data:} lines accumulate, a blank line dispatches, lines starting with {@code :} are comments
 * (keep-alives), other fields ({@code event}, {@code id}, {@code retry}) are ignored. Not thread-safe: one
 * parser per stream.
 */
public final class SseParser {

  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private long firstLineNanos;

  /**
   * Feeds one line (without its line terminator).
   *
   * @param nanos when the line was read ({@link System#nanoTime()})
   * @return the event this line completes, if it is the blank line ending an event with data
   */
  public Optional<SseEvent> accept(String line, long nanos) {
    if (line.isEmpty()) {
      return dispatch();
    }
    if (line.charAt(0) == ':') {
      return Optional.empty();
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    if (!field.equals("data")) {
      return Optional.empty();
    }
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (hasData) {
      data.append('\n');
    } else {
      hasData = true;
      firstLineNanos = nanos;
    }
    data.append(value);
    return Optional.empty();
  }

  /** The end of the body: an event whose blank line never came is still delivered. */
  public Optional<SseEvent> finish() {
    return dispatch();
  }

  private Optional<SseEvent> dispatch() {
    if (!hasData) {
      return Optional.empty();
    }
    SseEvent event = new SseEvent(data.toString(), firstLineNanos);
    data.setLength(0);
    hasData = false;
    return Optional.of(event);
  }
}
