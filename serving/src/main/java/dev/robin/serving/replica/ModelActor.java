package dev.robin.serving.replica;

import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import dev.robin.serving.stats.StepStats;
import dev.robin.serving.stats.StepStatsRecorder;
import dev.robin.serving.stats.TokenRateWindow;
import dev.robin.serving.replica.GenerationEvent.FinishReason;
import dev.robin.serving.replica.GenerationEvent.RejectReason;
import dev.robin.serving.replica.ModelProtocol.Cancel;
import dev.robin.serving.replica.ModelProtocol.Command;
import dev.robin.serving.replica.ModelProtocol.Generate;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.core.EngineStats;
import dev.robin.engine.core.GenerationRequest;
import dev.robin.engine.core.SequenceOutput;
import dev.robin.engine.scheduler.Admission;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One model replica: owns an {@link EngineCore} and runs its steps on a dedicated pinned thread (spawn it
 * with {@link #PROPS}). It tells itself {@link Step} while there is work, so {@code Generate} and
 * {@code Cancel} are handled between steps, and streams each request's events: {@code Accepted},
 * {@code Started}, {@code Tokens}…, then exactly one {@code Finished}, {@code Rejected} or {@code Failed}.
 *
 * <p>A requester that stops (watched) or cancels has its sequence aborted and its KV blocks freed at once.
 * A failing step fails the requests in it and the replica keeps serving. After each step it publishes
 * {@link ModelStats} on a {@link ModelStatsBoard}, which {@code /health} reads without messaging it, with
 * cumulative {@link StepStats} (durations and tokens of its steps by kind) kept in a few arrays.
 */
public final class ModelActor extends AbstractBehavior<Command> {

  /** Config path of the pinned dispatcher the replica runs on (see conf/application.conf). */
  public static final String DISPATCHER = "robin-model-dispatcher";

  /** Props every model actor must be spawned with: its own thread, so steps never block others. */
  public static final Props PROPS = DispatcherSelector.fromConfig(DISPATCHER);

  /** The actor's own commands. */
  sealed interface InternalCommand extends Command
      permits Step, RequesterTerminated, PublishStats, Stop {}

  /** Compute one engine step. */
  record Step() implements InternalCommand {}

  /** A watched requester stopped: abort what it asked for. */
  record RequesterTerminated(ActorRef<GenerationEvent> requester) implements InternalCommand {}

  /** Refresh the published stats while idle, so tokens per second decays to 0 instead of freezing. */
  record PublishStats() implements InternalCommand {}

  /** Fail what is in flight and stop (sharding's stop message on rebalance or shutdown). */
  record Stop() implements InternalCommand {}

  static final Stop STOP = new Stop();
  private static final PublishStats PUBLISH_STATS = new PublishStats();
  private static final Duration STATS_INTERVAL = Duration.ofSeconds(1);
  private static final Step STEP = new Step();

  private final ReplicaId replica;
  private final String device;
  private final EngineCore engine;
  private final ModelStatsBoard board;
  private final InFlightRequests requests = new InFlightRequests();
  private final TokenRateWindow tokenRate = new TokenRateWindow();
  private final StepStatsRecorder stepStats = new StepStatsRecorder();
  private ModelStats.Status status = ModelStats.Status.READY;
  private boolean stepScheduled;
  private long nextSequenceId;
  private double lastStepMillis;
  private long numRequestsTotal;
  private long numGeneratedTokensTotal;
  private long numCancelledTotal;

  /**
   * A replica that builds its engine with {@code factory} when it starts (on its own thread); if that
   * fails, it answers every request with {@code Failed} and reports {@code FAILED}.
   */
  public static Behavior<Command> create(
      ReplicaId replica, String device, ModelEngineFactory factory, ModelStatsBoard board) {
    Behavior<Command> setup =
        Behaviors.setup(
            context ->
                Behaviors.withTimers(timers -> start(context, timers, replica, device, factory, board)));
    // Steps catch their own failures; this only keeps the replica alive through an unexpected bug.
    return Behaviors.supervise(setup).onFailure(RuntimeException.class, SupervisorStrategy.resume());
  }

  private static Behavior<Command> start(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ReplicaId replica,
      String device,
      ModelEngineFactory factory,
      ModelStatsBoard board) {
    board.publish(replica.entityId(), ModelStats.loading(replica.modelId(), device));
    EngineCore engine;
    try {
      engine = factory.create(replica);
    } catch (Exception | LinkageError e) {
      context.getLog().error("Model replica {} failed to load", replica, e);
      return failed(replica, device, board, "the model failed to load: " + e.getMessage());
    }
    ModelActor actor = new ModelActor(context, replica, device, engine, board);
    actor.publishStats();
    timers.startTimerWithFixedDelay(PUBLISH_STATS, STATS_INTERVAL);
    context.getLog().info("Model replica {} ready on {}", replica, device);
    return actor;
  }

  /** A replica that cannot serve: every request fails with {@code reason}. */
  static Behavior<Command> failed(
      ReplicaId replica, String device, ModelStatsBoard board, String reason) {
    ModelStats stats = ModelStats.loading(replica.modelId(), device);
    board.publish(
        replica.entityId(),
        new ModelStats(
            stats.modelId(), device, null, ModelStats.Status.FAILED, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            StepStats.EMPTY));
    return Behaviors.receive(Command.class)
        .onMessage(
            Generate.class,
            g -> {
              if (g.replyTo() != null) {
                g.replyTo().tell(new GenerationEvent.Failed(g.requestId(), reason));
              }
              return Behaviors.same();
            })
        .onMessage(Stop.class, s -> Behaviors.stopped())
        .build();
  }

  private ModelActor(
      ActorContext<Command> context,
      ReplicaId replica,
      String device,
      EngineCore engine,
      ModelStatsBoard board) {
    super(context);
    this.replica = replica;
    this.device = device;
    this.engine = engine;
    this.board = board;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Generate.class, this::onGenerate)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(Step.class, step -> onStep())
        .onMessage(RequesterTerminated.class, this::onRequesterTerminated)
        .onMessage(PublishStats.class, tick -> onPublishStats())
        .onMessage(Stop.class, stop -> onStop())
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onGenerate(Generate g) {
    if (g.replyTo() == null) {
      getContext().getLog().warn("Generate {} without replyTo ignored", g.requestId());
      return this;
    }
    String invalid = validate(g);
    if (invalid != null) {
      g.replyTo().tell(new GenerationEvent.Rejected(g.requestId(), RejectReason.INVALID, invalid));
      return this;
    }
    long sequenceId = nextSequenceId++;
    Admission admission;
    try {
      admission =
          engine.submit(new GenerationRequest(sequenceId, g.promptIds(), g.sampling(), g.maxTokens(), g.ignoreEos()));
    } catch (RuntimeException e) {
      // A bug in a sampler factory must cost this request only, and still answer it.
      getContext().getLog().error("Admitting request {} failed", g.requestId(), e);
      g.replyTo().tell(new GenerationEvent.Failed(g.requestId(), "internal error while admitting the request"));
      return this;
    }
    if (!admission.isAccepted()) {
      g.replyTo()
          .tell(new GenerationEvent.Rejected(g.requestId(), rejectReason(admission), admission.message()));
      return this;
    }
    InFlightRequests.Entry entry =
        new InFlightRequests.Entry(g.requestId(), sequenceId, g.replyTo(), g.promptIds().length);
    if (requests.add(entry)) {
      getContext().watchWith(g.replyTo(), new RequesterTerminated(g.replyTo()));
    }
    numRequestsTotal++;
    entry.tell(new GenerationEvent.Accepted(g.requestId()));
    scheduleStep();
    publishStats();
    return this;
  }

  private String validate(Generate g) {
    if (g.requestId() == null || g.requestId().isBlank()) {
      return "the request id is empty";
    }
    if (requests.contains(g.requestId())) {
      return "request " + g.requestId() + " is already generating";
    }
    if (g.promptIds() == null || g.promptIds().length == 0) {
      return "the prompt is empty";
    }
    if (g.sampling() == null) {
      return "sampling parameters are missing";
    }
    return null;
  }

  private static RejectReason rejectReason(Admission admission) {
    return switch (admission.status()) {
      case QUEUE_FULL -> RejectReason.OVERLOADED;
      case PROMPT_TOO_LONG -> RejectReason.CONTEXT_LENGTH_EXCEEDED;
      case INVALID, ACCEPTED -> RejectReason.INVALID;
    };
  }

  private Behavior<Command> onCancel(Cancel cancel) {
    InFlightRequests.Entry entry = requests.byRequest(cancel.requestId());
    if (entry == null) {
      return this; // already finished: its final event is on its way
    }
    engine.abort(entry.sequenceId);
    numCancelledTotal++;
    entry.tell(
        new GenerationEvent.Finished(
            entry.requestId,
            FinishReason.CANCELLED,
            entry.numPromptTokens,
            entry.numGeneratedTokens,
            entry.numCachedPromptTokens));
    forget(entry);
    publishStats();
    return this;
  }

  private Behavior<Command> onRequesterTerminated(RequesterTerminated terminated) {
    for (InFlightRequests.Entry entry : requests.ofRequester(terminated.requester())) {
      engine.abort(entry.sequenceId);
      numCancelledTotal++;
      requests.remove(entry);
    }
    publishStats();
    return this;
  }

  private Behavior<Command> onStep() {
    stepScheduled = false;
    if (!engine.hasWork()) {
      return this;
    }
    long start = System.nanoTime();
    List<SequenceOutput> outputs;
    try {
      outputs = engine.step();
      stepStats.record(engine.lastStep(), (System.nanoTime() - start) / 1e9);
    } catch (RuntimeException e) {
      // EngineCore contains runner failures itself; this is a bug in the engine: fail everyone, carry on.
      getContext().getLog().error("Model replica {} step failed", replica, e);
      failAll("internal error while generating; please retry");
      outputs = List.of();
    }
    long end = System.nanoTime();
    lastStepMillis = (end - start) / 1e6;
    long numNewTokens = 0;
    for (SequenceOutput output : outputs) {
      numNewTokens += deliver(output);
    }
    numGeneratedTokensTotal += numNewTokens;
    tokenRate.record(numNewTokens, end);
    publishStats();
    if (engine.hasWork()) {
      scheduleStep();
    }
    return this;
  }

  /** Sends one step's output to its requester; returns the number of new tokens. */
  private int deliver(SequenceOutput output) {
    InFlightRequests.Entry entry = requests.bySequence(output.sequenceId());
    if (entry == null) {
      return 0;
    }
    if (output.finishReason() == dev.robin.engine.scheduler.FinishReason.ERROR) {
      entry.tell(new GenerationEvent.Failed(entry.requestId, "the model failed while generating; please retry"));
      forget(entry);
      return 0;
    }
    if (!output.newTokens().isEmpty()) {
      if (!entry.started) {
        entry.started = true;
        entry.numCachedPromptTokens = output.numCachedPromptTokens();
        entry.tell(new GenerationEvent.Started(entry.requestId, entry.numCachedPromptTokens));
      }
      entry.numGeneratedTokens = output.numGeneratedTokens();
      entry.tell(new GenerationEvent.Tokens(entry.requestId, output.newTokens()));
    }
    if (output.isFinished()) {
      entry.tell(
          new GenerationEvent.Finished(
              entry.requestId,
              finishReason(output.finishReason()),
              entry.numPromptTokens,
              entry.numGeneratedTokens,
              entry.numCachedPromptTokens));
      forget(entry);
    }
    return output.newTokens().size();
  }

  private static FinishReason finishReason(dev.robin.engine.scheduler.FinishReason reason) {
    return switch (reason) {
      case STOP -> FinishReason.STOP;
      case LENGTH -> FinishReason.LENGTH;
      case ABORTED, ERROR -> FinishReason.CANCELLED;
    };
  }

  private Behavior<Command> onPublishStats() {
    if (!stepScheduled) {
      publishStats(); // a busy replica publishes after every step anyway
    }
    return this;
  }

  private Behavior<Command> onStop() {
    status = ModelStats.Status.STOPPING;
    failAll("the model replica is shutting down; please retry");
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    status = ModelStats.Status.STOPPING;
    failAll("the model replica stopped; please retry");
    try {
      engine.close();
    } catch (RuntimeException e) {
      getContext().getLog().warn("Closing model replica {} failed", replica, e);
    }
    return this;
  }

  private void failAll(String message) {
    for (InFlightRequests.Entry entry : requests.all()) {
      engine.abort(entry.sequenceId);
      entry.tell(new GenerationEvent.Failed(entry.requestId, message));
      forget(entry);
    }
    publishStats();
  }

  private void forget(InFlightRequests.Entry entry) {
    if (requests.remove(entry)) {
      getContext().unwatch(entry.replyTo);
    }
  }

  private void scheduleStep() {
    if (!stepScheduled) {
      stepScheduled = true;
      getContext().getSelf().tell(STEP);
    }
  }

  private void publishStats() {
    EngineStats s = engine.stats();
    board.publish(
        replica.entityId(),
        new ModelStats(
            replica.modelId(),
            device,
            engine.kernel(),
            status,
            s.numWaiting(),
            s.numRunning(),
            s.numPreemptionsTotal(),
            s.numKvBlocksUsed(),
            s.numKvBlocksTotal(),
            s.prefixCacheHitRate(),
            lastStepMillis,
            tokenRate.tokensPerSecond(System.nanoTime()),
            numRequestsTotal,
            numGeneratedTokensTotal,
            numCancelledTotal,
            stepStats.snapshot()));
  }
}
