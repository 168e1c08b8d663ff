package dev.robin.accounts.usage;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import dev.robin.accounts.store.UsageEvent;
import dev.robin.accounts.store.UsageStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Collects finished requests' usage and writes it to the {@link UsageStore} in batches, off the request path: at
 * most one write in flight, a batch every {@code flushInterval} or as soon as {@code batchSize} events wait. A
 * failed write is retried with the same events, which the store deduplicates by request id, so nothing is counted
 * twice. {@link Flush} answers once everything received before it is durable; graceful shutdown sends one.
 */
public final class UsageRecorder extends AbstractBehavior<UsageRecorder.Command> {

  /** Messages of the recorder; local, since each node records the usage of the requests it answered. */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Count this finished request (completed, failed or cancelled). Fire and forget. */
  public record Record(UsageEvent event) implements Command {}

  /** Answer {@link Flushed} once every event received before this message is stored. */
  public record Flush(ActorRef<Flushed> replyTo) implements Command {}

  /** Reply to {@link Flush}. {@code numDropped} counts events ever dropped because the buffer was full. */
  public record Flushed(long numWritten, long numDropped) implements NoSerializationVerificationNeeded {}

  private record WriteFinished(int numEvents, Throwable failure) implements Command {}

  private enum Tick implements Command { INSTANCE }

  private record Waiter(long upToSequence, ActorRef<Flushed> replyTo) {}

  /** Longest wait before retrying a failed write, however long the flush interval. */
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(1);
  private static final String RETRY_TIMER = "retry";

  private final UsageStore store;
  private final UsageSettings settings;
  private final TimerScheduler<Command> timers;
  private final ArrayDeque<UsageEvent> buffer = new ArrayDeque<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private List<UsageEvent> inFlight;
  private long numReceived;
  private long numWritten;
  private long numDropped;
  private long numDroppedLogged;

  private UsageRecorder(ActorContext<Command> context, TimerScheduler<Command> timers, UsageStore store,
      UsageSettings settings) {
    super(context);
    this.store = store;
    this.settings = settings;
    this.timers = timers;
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.flushInterval());
  }

  /** The recorder's behavior. */
  public static Behavior<Command> create(UsageStore store, UsageSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new UsageRecorder(context, timers, store, settings)));
  }

  /**
   * Starts the recorder as a system actor and adds a coordinated-shutdown task (phase {@code service-stop}, after
   * the HTTP server has finished its requests) that flushes it before the stores are closed.
   */
  public static ActorRef<Command> spawn(ActorSystem<?> system, UsageStore store, UsageSettings settings) {
    ActorRef<Command> recorder = system.systemActorOf(create(store, settings), "usage-recorder", Props.empty());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "robin-flush-usage",
        () -> flush(system, recorder, settings.shutdownTimeout())
            .thenApply(flushed -> {
              system.log().info("Usage flushed on shutdown: {} events written, {} dropped",
                  flushed.numWritten(), flushed.numDropped());
              return Done.getInstance();
            })
            .exceptionally(failure -> {
              system.log().error("Usage could not be flushed on shutdown: {}", failure.toString());
              return Done.getInstance();
            }));
    return recorder;
  }

  /** Asks {@code recorder} to flush; completes when everything sent to it before is stored. */
  public static CompletableFuture<Flushed> flush(ActorSystem<?> system, ActorRef<Command> recorder,
      Duration timeout) {
    return AskPattern.<Command, Flushed>ask(recorder, Flush::new, timeout, system.scheduler()).toCompletableFuture();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Record.class, this::onRecord)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(WriteFinished.class, this::onWriteFinished)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onRecord(Record record) {
    if (buffer.size() >= settings.maxBuffered()) {
      numDropped++;
      return this;
    }
    buffer.add(record.event());
    numReceived++;
    if (buffer.size() >= settings.batchSize()) {
      writeNextBatch();
    }
    return this;
  }

  private Behavior<Command> onFlush(Flush flush) {
    if (numWritten >= numReceived) {
      flush.replyTo().tell(new Flushed(numWritten, numDropped));
    } else {
      waiters.add(new Waiter(numReceived, flush.replyTo()));
      writeNextBatch();
    }
    return this;
  }

  private Behavior<Command> onTick() {
    if (numDropped > numDroppedLogged) {
      getContext().getLog().warn("Usage buffer full ({} events): dropped {} events so far; is the store down?",
          settings.maxBuffered(), numDropped);
      numDroppedLogged = numDropped;
    }
    writeNextBatch();
    return this;
  }

  private Behavior<Command> onWriteFinished(WriteFinished finished) {
    List<UsageEvent> batch = inFlight;
    inFlight = null;
    if (finished.failure() != null) {
      // Back to the front, in order: the next tick retries the same events, which the store deduplicates.
      for (int i = batch.size() - 1; i >= 0; i--) {
        buffer.addFirst(batch.get(i));
      }
      Duration retryDelay = settings.flushInterval().compareTo(MAX_RETRY_DELAY) < 0
          ? settings.flushInterval()
          : MAX_RETRY_DELAY;
      timers.startSingleTimer(RETRY_TIMER, Tick.INSTANCE, retryDelay);
      getContext().getLog().warn("Writing {} usage events failed; retrying in {} ms: {}", batch.size(),
          retryDelay.toMillis(), finished.failure().toString());
      return this;
    }
    numWritten += finished.numEvents();
    answerWaiters();
    if (buffer.size() >= settings.batchSize() || !waiters.isEmpty()) {
      writeNextBatch();
    }
    return this;
  }

  private void writeNextBatch() {
    if (inFlight != null || buffer.isEmpty()) {
      return;
    }
    int size = Math.min(settings.batchSize(), buffer.size());
    List<UsageEvent> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      batch.add(buffer.poll());
    }
    inFlight = batch;
    CompletableFuture<Void> write;
    try {
      write = store.record(batch).toCompletableFuture();
    } catch (RuntimeException failure) {
      write = CompletableFuture.failedFuture(failure);
    }
    getContext().pipeToSelf(write, (ok, failure) -> new WriteFinished(batch.size(), failure));
  }

  private void answerWaiters() {
    Iterator<Waiter> pending = waiters.iterator();
    while (pending.hasNext()) {
      Waiter waiter = pending.next();
      if (waiter.upToSequence() <= numWritten) {
        waiter.replyTo().tell(new Flushed(numWritten, numDropped));
        pending.remove();
      }
    }
  }
}
