package dev.robin.serving.replica;

import dev.robin.engine.core.EngineCore;
import dev.robin.engine.core.SequenceOutput;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import dev.robin.serving.stats.ReplicaStatsRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One model replica: owns an {@link EngineCore} and runs its steps on a dedicated pinned thread (spawn it with
 * {@link #PROPS}). It loads its engine when it starts, then serves; a replica whose engine failed to load refuses
 * everything. While serving it tells itself {@code Step} while there is work, so {@code Generate} and
 * {@code Cancel} are handled between steps, and streams each request's {@link GenerationEvent}s.
 *
 * <p>Once loaded it registers with the receptionist under its model's {@link #serviceKey}, so routers on every node
 * find it where it runs: a replica lives on the node (and device) that started it and never moves. It publishes
 * its load on the cluster-wide {@link ReplicaLoads} topic (at most every {@link #LOAD_INTERVAL}) for the routers to
 * weigh.
 *
 * <p>A requester that stops (watched) or cancels has its sequence aborted and its KV blocks freed at once. A
 * failing step fails the requests in it and the replica keeps serving. After each step it publishes
 * {@link ModelStats} on a {@link ModelStatsBoard}, which {@code /health} reads without messaging it.
 */
public final class ModelActor extends AbstractBehavior<ModelActor.Command> {

  /** Config path of the pinned dispatcher the replica runs on (see conf/application.conf). */
  public static final String DISPATCHER = "robin-model-dispatcher";

  /** Props every model actor must be spawned with: its own thread, so steps never block others. */
  public static final Props PROPS = DispatcherSelector.fromConfig(DISPATCHER);

  /**
   * Tokens events a replica sends a request before the requester acknowledges them: a requester (or its node, or
   * the network to it) that falls behind gets the next steps' tokens in one event, not a growing queue of them.
   */
  public static final int UNACKNOWLEDGED_TOKEN_EVENTS = 8;

  /** How often, at most, a replica publishes its load cluster-wide (and at least every stats interval). */
  public static final Duration LOAD_INTERVAL = Duration.ofMillis(200);

  /** The receptionist key under which the ready replicas of {@code modelId} are listed, on every node. */
  public static ServiceKey<Command> serviceKey(String modelId) {
    return ServiceKey.create(Command.class, "robin-model-" + modelId);
  }

  /** What a replica understands. */
  public sealed interface Command extends ReplicaMessage {}

  /**
   * Generate for {@code request}; events go to {@code replyTo}: {@code Accepted} naming this replica (or
   * {@code Rejected}), then the sequence's tokens and its end.
   */
  public record Generate(GenerationRequest request, ActorRef<GenerationEvent> replyTo) implements Command {}

  /**
   * Answer {@code replyTo} with the model's {@link ModelCard}, so a node without the model can take requests for
   * it (see the catalog package).
   */
  public record Describe(ActorRef<ModelCard> replyTo) implements Command {}

  /**
   * The requester handled {@code requestId}'s Tokens events up to {@code seq}: the replica sends more only while
   * fewer than {@link #UNACKNOWLEDGED_TOKEN_EVENTS} are unhandled, holding the rest back.
   */
  public record TokensHandled(String requestId, int seq) implements Command {}

  /** Stop generating {@code requestId} and free what it holds; it finishes with {@code ABORTED}. */
  public record Cancel(String requestId) implements Command {}

  /**
   * Answer {@code replyTo} once this replica serves ({@code Ready}) or cannot ({@code LoadFailed}). A sharded
   * replica starts on its first message, so this also starts it.
   */
  public record WhenReady(ActorRef<Readiness> replyTo) implements Command {}

  /** Whether a replica serves, the answer to {@link WhenReady}. */
  public sealed interface Readiness extends ReplicaMessage {
    ReplicaId replica();
  }

  /** The replica serves, multiplying its projections with {@code kernel}. */
  public record Ready(ReplicaId replica, String kernel) implements Readiness {}

  /** The replica's engine failed to load; it refuses every request. */
  public record LoadFailed(ReplicaId replica, String reason) implements Readiness {}

  private record Step() implements Command {}

  /** A watched requester stopped: abort what it asked for. */
  private record RequesterTerminated(ActorRef<GenerationEvent> requester) implements Command {}

  /** Refresh the published stats while idle, so tokens per second decays to 0 instead of freezing. */
  private record PublishStats() implements Command {}

  private static final PublishStats PUBLISH_STATS = new PublishStats();
  private static final Duration STATS_INTERVAL = Duration.ofSeconds(1);
  private static final Step STEP = new Step();

  private final ReplicaId replica;
  private final String device;
  private final ModelCard card;
  private final EngineCore engine;
  private final ModelStatsBoard board;
  private final InFlightRequests requests = new InFlightRequests();
  private final ReplicaStatsRecorder stats;
  private final ReplicaLoads loads;
  private boolean stepScheduled;
  private long lastLoadNanos;
  private ReplicaLoad lastLoad;

  /**
   * A replica that builds its engine with {@code factory} when it starts (on its own thread); if that fails, it
   * refuses every request and reports {@code FAILED}. It describes its model with {@code card}.
   */
  public static Behavior<Command> create(
      ReplicaId replica, String device, ModelEngineFactory factory, ModelStatsBoard board, ModelCard card) {
    Behavior<Command> setup = Behaviors.setup(
        context -> Behaviors.withTimers(timers -> load(context, timers, replica, device, factory, board, card)));
    // Steps catch their own failures; this only keeps the replica alive through an unexpected bug.
    return Behaviors.supervise(setup).onFailure(RuntimeException.class, SupervisorStrategy.resume());
  }

  /** A replica of an engine with no model directory behind it (tests): other nodes cannot serve from its card. */
  public static Behavior<Command> create(
      ReplicaId replica, String device, ModelEngineFactory factory, ModelStatsBoard board) {
    return create(replica, device, factory, board, ModelCard.withoutText(replica.modelId(), 1));
  }

  private static Behavior<Command> load(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ReplicaId replica,
      String device,
      ModelEngineFactory factory,
      ModelStatsBoard board,
      ModelCard card) {
    board.publish(replica.entityId(), ModelStats.loading(replica.modelId(), device));
    ReplicaLoads loads = ReplicaLoads.get(context.getSystem());
    loads.publish(ReplicaLoad.withoutEngine(context.getSelf(), replica, device, ModelStats.Status.LOADING));
    EngineCore engine;
    try {
      engine = factory.create(replica);
    } catch (Exception | LinkageError e) {
      context.getLog().error("Model replica {} failed to load", replica, e);
      return failed(context, timers, replica, device, board, "the model failed to load: " + e.getMessage());
    }
    ModelActor actor = new ModelActor(context, replica, device, engine, board, card);
    actor.publishStats(ModelStats.Status.READY);
    timers.startTimerWithFixedDelay(PUBLISH_STATS, STATS_INTERVAL);
    context.getSystem().receptionist().tell(Receptionist.register(serviceKey(replica.modelId()), context.getSelf()));
    context.getLog().info("Model replica {} ready on {}", replica, device);
    return actor;
  }

  /**
   * A replica that cannot serve: every request is refused with {@code reason}; it keeps telling the cluster it
   * failed, so every node's /health shows why.
   */
  private static Behavior<Command> failed(
      ActorContext<Command> context, TimerScheduler<Command> timers, ReplicaId replica, String device,
      ModelStatsBoard board, String reason) {
    board.publish(replica.entityId(), ModelStats.withoutEngine(replica.modelId(), device, ModelStats.Status.FAILED));
    Rejection unavailable = new Rejection(Rejection.Reason.UNAVAILABLE, reason);
    ReplicaLoads loads = ReplicaLoads.get(context.getSystem());
    ReplicaLoad failedLoad =
        ReplicaLoad.withoutEngine(context.getSelf(), replica, device, ModelStats.Status.FAILED);
    loads.publish(failedLoad);
    timers.startTimerWithFixedDelay(PUBLISH_STATS, STATS_INTERVAL);
    return Behaviors.receive(Command.class)
        .onMessage(PublishStats.class, tick -> {
          loads.publish(failedLoad);
          return Behaviors.same();
        })
        .onMessage(Generate.class, g -> {
          g.replyTo().tell(new GenerationEvent.Rejected(g.request().id(), unavailable));
          return Behaviors.same();
        })
        .onMessage(WhenReady.class, w -> {
          w.replyTo().tell(new LoadFailed(replica, reason));
          return Behaviors.same();
        })
        .build();
  }

  private ModelActor(
      ActorContext<Command> context, ReplicaId replica, String device, EngineCore engine, ModelStatsBoard board,
      ModelCard card) {
    super(context);
    this.replica = replica;
    this.device = device;
    this.card = card;
    this.engine = engine;
    this.board = board;
    this.stats = new ReplicaStatsRecorder(replica.modelId(), device);
    this.loads = ReplicaLoads.get(context.getSystem());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Generate.class, this::onGenerate)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(TokensHandled.class, this::onTokensHandled)
        .onMessage(WhenReady.class, this::onWhenReady)
        .onMessage(Describe.class, describe -> {
          describe.replyTo().tell(card);
          return this;
        })
        .onMessage(Step.class, step -> onStep())
        .onMessage(RequesterTerminated.class, this::onRequesterTerminated)
        .onMessage(PublishStats.class, tick -> onPublishStats())
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onWhenReady(WhenReady whenReady) {
    whenReady.replyTo().tell(new Ready(replica, engine.kernel()));
    return this;
  }

  private Behavior<Command> onGenerate(Generate g) {
    GenerationRequest request = g.request();
    Optional<Rejection> rejection;
    try {
      rejection = engine.submit(request);
    } catch (RuntimeException e) {
      // A bug in a sampler factory must cost this request only, and still answer it.
      getContext().getLog().error("Admitting request {} failed", request.id(), e);
      g.replyTo().tell(new GenerationEvent.Failed(request.id(), "internal error while admitting the request"));
      return this;
    }
    if (rejection.isPresent()) {
      g.replyTo().tell(new GenerationEvent.Rejected(request.id(), rejection.get()));
      return this;
    }
    InFlightRequests.Entry entry = new InFlightRequests.Entry(request.id(), g.replyTo(), request.promptIds().length);
    if (requests.add(entry)) {
      getContext().watchWith(g.replyTo(), new RequesterTerminated(g.replyTo()));
    }
    stats.requestAdmitted();
    entry.tell(new GenerationEvent.Accepted(request.id(), getContext().getSelf()));
    scheduleStep();
    publishStats(ModelStats.Status.READY);
    return this;
  }

  private Behavior<Command> onCancel(Cancel cancel) {
    InFlightRequests.Entry entry = requests.byRequest(cancel.requestId());
    if (entry == null) {
      return this; // already finished: its final event is on its way
    }
    engine.abort(entry.requestId);
    stats.cancelled();
    entry.tell(entry.finished(FinishReason.ABORTED));
    forget(entry);
    publishStats(ModelStats.Status.READY);
    return this;
  }

  private Behavior<Command> onTokensHandled(TokensHandled handled) {
    InFlightRequests.Entry entry = requests.byRequest(handled.requestId());
    if (entry != null) {
      entry.handled(handled.seq(), UNACKNOWLEDGED_TOKEN_EVENTS);
    }
    return this;
  }

  private Behavior<Command> onRequesterTerminated(RequesterTerminated terminated) {
    for (InFlightRequests.Entry entry : requests.ofRequester(terminated.requester())) {
      engine.abort(entry.requestId);
      stats.cancelled();
      requests.remove(entry);
    }
    publishStats(ModelStats.Status.READY);
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
    } catch (RuntimeException e) {
      // EngineCore contains runner failures itself; this is a bug in the engine: fail everyone, carry on.
      getContext().getLog().error("Model replica {} step failed", replica, e);
      failAll("internal error while generating; please retry");
      outputs = List.of();
    }
    long end = System.nanoTime();
    long numNewTokens = 0;
    for (SequenceOutput output : outputs) {
      numNewTokens += deliver(output);
    }
    stats.step(engine.lastStep(), start, end, numNewTokens, engine.constraints());
    publishStats(ModelStats.Status.READY);
    if (engine.hasWork()) {
      scheduleStep();
    }
    return this;
  }

  /** Sends one step's output to its requester; returns the number of new tokens. */
  private int deliver(SequenceOutput output) {
    InFlightRequests.Entry entry = requests.byRequest(output.requestId());
    if (entry == null) {
      return 0;
    }
    if (output.finishReason() == FinishReason.ERROR) {
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
      entry.sendTokens(output.newTokens(), UNACKNOWLEDGED_TOKEN_EVENTS);
    }
    if (output.isFinished()) {
      entry.flushTokens();
      entry.tell(entry.finished(output.finishReason()));
      forget(entry);
    }
    return output.newTokens().size();
  }

  private Behavior<Command> onPublishStats() {
    // Idle, so tokens per second decays to 0; and the load goes out even unchanged, so a node that joins late,
    // or missed one, learns it within an interval.
    publishStats(ModelStats.Status.READY, true);
    return this;
  }

  private Behavior<Command> onPostStop() {
    failAll("the model replica stopped; please retry");
    publishStats(ModelStats.Status.STOPPING);
    try {
      engine.close();
    } catch (RuntimeException e) {
      getContext().getLog().warn("Closing model replica {} failed", replica, e);
    }
    return this;
  }

  private void failAll(String message) {
    for (InFlightRequests.Entry entry : requests.all()) {
      engine.abort(entry.requestId);
      entry.tell(new GenerationEvent.Failed(entry.requestId, message));
      forget(entry);
    }
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

  private void publishStats(ModelStats.Status status) {
    publishStats(status, false);
  }

  /**
   * Publishes the stats on the board and, while ready, the load cluster-wide: when it changed and the last one is
   * older than the interval, or always.
   */
  private void publishStats(ModelStats.Status status, boolean alwaysLoad) {
    ModelStats snapshot = stats.snapshot(status, engine.kernel(), engine.stats());
    board.publish(replica.entityId(), snapshot);
    if (status != ModelStats.Status.READY) {
      // Counted out on every node at once, not when its reports stop.
      loads.publish(ReplicaLoad.withoutEngine(getContext().getSelf(), replica, device, status));
      return;
    }
    ReplicaLoad load = new ReplicaLoad(
        getContext().getSelf(), replica, device, status, snapshot.numWaiting(), snapshot.numRunning(),
        snapshot.kvCacheUsage());
    long now = System.nanoTime();
    boolean changed = lastLoad == null || lastLoad.numRequests() != load.numRequests();
    if (alwaysLoad || (changed && now - lastLoadNanos >= LOAD_INTERVAL.toNanos())) {
      loads.publish(load);
      lastLoad = load;
      lastLoadNanos = now;
    }
  }
}
