package dev.robin.api.request;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The SSE side of one streamed response: a bounded queue feeding the HTTP entity, keep-alive comments while
 * idle, and frames produced before the response started held until it does. Not thread-safe: owned by its
 * request actor.
 */
final class SseOutlet {

  private final int bufferSize;
  private final Duration keepAlive;
  private final List<ByteString> pending = new ArrayList<>();
  private BoundedSourceQueue<ByteString> queue;
  private boolean closed;

  SseOutlet(int bufferSize, Duration keepAlive) {
    this.bufferSize = bufferSize;
    this.keepAlive = keepAlive;
  }

  /**
   * Creates the stream and the 200 response carrying it; {@code onEnded} is called (from a stream thread) when
   * the HTTP side stops consuming: after the last frame, or because the client went away.
   */
  HttpResponse open(ActorSystem<?> system, Consumer<Throwable> onEnded) {
    Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> pair =
        Source.<ByteString>queue(bufferSize).preMaterialize(system);
    queue = pair.first();
    Source<ByteString, NotUsed> body =
        pair.second()
            .keepAlive(keepAlive, () -> SseFrames.KEEP_ALIVE)
            .watchTermination(
                (mat, finished) -> {
                  finished.whenComplete((ok, failure) -> onEnded.accept(failure));
                  return mat;
                });
    return HttpResponse.create()
        .withEntity(HttpEntities.createChunked(SseFrames.CONTENT_TYPE, body))
        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
        .addHeader(RawHeader.create("X-Accel-Buffering", "no"));
  }

  boolean isOpen() {
    return queue != null;
  }

  /** Releases the frames held while the response had not started, after {@code first}. */
  boolean flushPending(List<ByteString> first) {
    List<ByteString> frames = new ArrayList<>(first);
    frames.addAll(pending);
    pending.clear();
    for (ByteString frame : frames) {
      if (!send(frame)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Queues a frame (or holds it until {@link #open}); false when the client reads slower than the model writes
   * and the buffer is full: the stream is then failed and the caller must give up on the request.
   */
  boolean send(ByteString frame) {
    if (closed) {
      return true;
    }
    if (queue == null) {
      pending.add(frame);
      return true;
    }
    if (queue.offer(frame) == QueueOfferResult.dropped()) {
      fail(new ClientTooSlow(bufferSize));
      return false;
    }
    return true;
  }

  /** Ends the stream after the frames already queued. */
  void complete() {
    if (queue != null && !closed) {
      closed = true;
      try {
        queue.complete();
      } catch (IllegalStateException alreadyFinished) {
        // the client left an instant ago; its StreamEnded is on the way
      }
    }
  }

  void fail(Throwable cause) {
    if (queue != null && !closed) {
      closed = true;
      try {
        queue.fail(cause);
      } catch (IllegalStateException alreadyFinished) {
        // the client left an instant ago; its StreamEnded is on the way
      }
    }
  }

  /** The HTTP side stopped consuming (client gone): the queue is finished, nothing more may be offered. */
  void markEnded() {
    closed = true;
  }

  /** Why a stalled stream was failed; without a stack trace, as it is the client's doing, not a bug. */
  static final class ClientTooSlow extends RuntimeException {
    ClientTooSlow(int bufferSize) {
      super("client too slow: " + bufferSize + " chunks buffered", null, false, false);
    }
  }

  /** Whether this side ended the stream (so a stream end is not a client disconnect). */
  boolean isClosed() {
    return closed;
  }
}
