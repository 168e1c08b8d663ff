package dev.robin.bench.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * A closed-loop load generator: at concurrency C, C workers each send a request, wait for its stream to
 * end, and send the next, until the level's requests are used up. Request bodies come from a numbered
 * sequence that continues across levels, so no two requests of a run share a prompt by accident.
 */
public final class LoadGenerator {

  private final Function<String, RequestResult> sender;
  private final LongFunction<String> bodies;
  private final AtomicLong nextRequestIndex = new AtomicLong();

  /**
   * @param sender sends one body and measures it (normally {@link CompletionClient#send})
   * @param bodies request number → JSON body
   */
  public LoadGenerator(Function<String, RequestResult> sender, LongFunction<String> bodies) {
    this.sender = sender;
    this.bodies = bodies;
  }

  /**
   * Runs unrecorded requests so that the server's code is compiled hot before a level is measured.
   *
   * @throws IllegalStateException when every one of them failed (the server cannot serve this load at all)
   */
  public void warmUp(int concurrency, int numRequests) throws InterruptedException {
    LevelSummary w = runLevel(concurrency, numRequests);
    if (w.numFailed() == w.numRequests()) {
      throw new IllegalStateException("every warm-up request failed; first error: " + w.firstError());
    }
  }

  /** Runs {@code numRequests} requests with {@code concurrency} workers and summarises them. */
  public LevelSummary runLevel(int concurrency, int numRequests) throws InterruptedException {
    if (concurrency < 1 || numRequests < 1) {
      throw new IllegalArgumentException(
          "concurrency and number of requests must be positive: " + concurrency + ", " + numRequests);
    }
    List<RequestResult> results = Collections.synchronizedList(new ArrayList<>(numRequests));
    AtomicInteger remaining = new AtomicInteger(numRequests);
    AtomicInteger workerIds = new AtomicInteger();
    ExecutorService workers =
        Executors.newFixedThreadPool(
            concurrency,
            r -> {
              Thread t = new Thread(r, "bench-worker-" + workerIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    long start = System.nanoTime();
    try {
      List<Future<?>> running = new ArrayList<>(concurrency);
      for (int w = 0; w < concurrency; w++) {
        running.add(
            workers.submit(
                () -> {
                  while (remaining.getAndDecrement() > 0) {
                    results.add(sender.apply(bodies.apply(nextRequestIndex.getAndIncrement())));
                  }
                }));
      }
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException("a benchmark worker failed", e.getCause());
        }
      }
    } finally {
      workers.shutdownNow();
    }
    List<RequestResult> done = List.copyOf(results);
    // Wall time from the first send to the last stream's end, without thread start-up around it.
    long first = done.stream().mapToLong(RequestResult::startNanos).min().orElse(start);
    long last = done.stream().mapToLong(RequestResult::endNanos).max().orElse(start);
    return LevelSummary.of(concurrency, done, last - first);
  }
}
