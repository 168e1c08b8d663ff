package dev.robin.api.request;

import dev.robin.api.error.ApiError;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The request actors alive now, so a shutdown can wait for them: Pekko HTTP's own termination considers a
 * request done once its response headers are out, which would cut every SSE stream at once. Once draining,
 * new completions are refused with 503.
 */
public final class InFlightRequests {

  private final Set<ActorRef<CompletionRequestActor.Command>> active = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private volatile boolean draining;

  void add(ActorRef<CompletionRequestActor.Command> request) {
    active.add(request);
  }

  void remove(ActorRef<CompletionRequestActor.Command> request) {
    active.remove(request);
    if (draining && active.isEmpty()) {
      drained.complete(null);
    }
  }

  public int size() {
    return active.size();
  }

  public boolean isDraining() {
    return draining;
  }

  /**
   * Refuses new requests from now on and completes when every request in flight has finished, or after
   * {@code deadline}: then the remaining ones are ended with a "shutting down" error (streams get it as their
   * last event) and their sequences cancelled, and it completes once they stopped (at most 2 s later).
   */
  public CompletionStage<Void> drain(Duration deadline) {
    draining = true;
    if (active.isEmpty()) {
      drained.complete(null);
    }
    return drained
        .copy()
        .completeOnTimeout(null, deadline.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(
            ignored -> {
              if (active.isEmpty()) {
                return CompletableFuture.completedFuture(null);
              }
              ApiError error =
                  ApiError.overloaded("The server is shutting down; the request was stopped. Please retry.", null);
              active.forEach(r -> r.tell(new CompletionRequestActor.Abort(error)));
              return drained.copy().completeOnTimeout(null, 2, TimeUnit.SECONDS);
            });
  }
}
