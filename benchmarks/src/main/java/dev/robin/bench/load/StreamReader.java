package dev.robin.bench.load;

import dev.robin.bench.sse.SseEvent;
import dev.robin.bench.sse.SseParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Reads one SSE completion stream to its end and measures it: each line is time-stamped as it is read,
 * so the first chunk with text gives TTFT and successive chunks with text give inter-token latencies.
 */
public final class StreamReader {

  private final LongSupplier clock;

  /** @param clock source of {@link System#nanoTime()}-like timestamps (replaceable in tests) */
  public StreamReader(LongSupplier clock) {
    this.clock = clock;
  }

  /**
   * Consumes the stream until {@code [DONE]} or the end of the body.
   *
   * @param startNanos when the request was sent, on {@link #clock}'s scale
   */
  public RequestResult read(BufferedReader body, long startNanos) {
    SseParser parser = new SseParser();
    Measurement m = new Measurement(startNanos);
    try {
      String line;
      while ((line = body.readLine()) != null) {
        Optional<SseEvent> event = parser.accept(line, clock.getAsLong());
        if (event.isPresent() && m.onEvent(event.get())) {
          return m.finish(clock.getAsLong());
        }
      }
      Optional<SseEvent> last = parser.finish();
      if (last.isPresent() && m.onEvent(last.get())) {
        return m.finish(clock.getAsLong());
      }
      m.fail("stream ended without data: [DONE]");
    } catch (IOException e) {
      m.fail("reading the stream failed: " + e);
    }
    return m.finish(clock.getAsLong());
  }

  /** Mutable state of one stream being read. */
  private static final class Measurement {
    private final long startNanos;
    private long firstContent = -1;
    private long lastContent = -1;
    private long[] gaps = new long[64];
    private int numGaps;
    private int numContentChunks;
    private int usageCompletion = -1;
    private int usagePrompt = -1;
    private int usageCached = -1;
    private String finishReason;
    private String error;

    Measurement(long startNanos) {
      this.startNanos = startNanos;
    }

    /** Returns true when the stream is over. */
    boolean onEvent(SseEvent event) {
      if (event.isDone()) {
        return true;
      }
      StreamChunk chunk;
      try {
        chunk = StreamChunk.parse(event.data());
      } catch (IllegalArgumentException e) {
        fail(e.getMessage());
        return false;
      }
      if (chunk.error() != null) {
        fail("server error in stream: " + chunk.error());
      }
      if (chunk.hasContent()) {
        long t = event.receivedNanos();
        if (firstContent < 0) {
          firstContent = t;
        } else {
          if (numGaps == gaps.length) {
            gaps = Arrays.copyOf(gaps, gaps.length * 2);
          }
          gaps[numGaps++] = t - lastContent;
        }
        lastContent = t;
        numContentChunks++;
      }
      if (chunk.finishReason() != null) {
        finishReason = chunk.finishReason();
      }
      if (chunk.hasUsage()) {
        usageCompletion = chunk.completionTokens();
        usagePrompt = chunk.promptTokens();
        usageCached = chunk.cachedPromptTokens();
      }
      return false;
    }

    void fail(String message) {
      if (error == null) {
        error = message;
      }
    }

    RequestResult finish(long endNanos) {
      return new RequestResult(
          startNanos,
          firstContent,
          endNanos,
          Arrays.copyOf(gaps, numGaps),
          numContentChunks,
          usageCompletion,
          usagePrompt,
          usageCached,
          finishReason,
          error);
    }
  }
}
