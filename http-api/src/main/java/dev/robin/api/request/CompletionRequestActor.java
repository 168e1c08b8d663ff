package dev.robin.api.request;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.error.ErrorResponses;
import dev.robin.api.guard.Usage;
import dev.robin.api.json.Json;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.Rejection;
import dev.robin.serving.replica.GenerationEvent;
import dev.robin.serving.replica.ModelActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.util.ByteString;

/**
 * One completion request, from the first {@code Generate} to the last byte of the response, in three phases:
 *
 * <ol>
 *   <li><b>admitting</b>: every choice's request goes to the model; a stream's response starts only once every
 *       choice is accepted, so an overloaded model still gets a proper 503;
 *   <li><b>generating</b>: tokens are detokenized, stop strings applied (cancelling the sequence at its replica
 *       on a match), and SSE chunks streamed into a bounded queue, or the whole response completed;
 *   <li><b>draining</b>: the client is answered (or gone, or failed); the actor waits until the stream's last
 *       byte is handed over and every replica sent its last event (or a grace period ends), then stops.
 * </ol>
 *
 * <p>When the client goes away, a replica stops, the node of a replica becomes unreachable, or the server shuts
 * down, unfinished sequences are cancelled at the replica that holds them and the request drains.
 */
public final class CompletionRequestActor {

  /**
   * Messages of a request actor: local to its node (the HTTP connection is there). What a replica sends it
   * arrives as {@link GenerationEvent}s, which cross nodes, and is wrapped here.
   */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** End the request now with {@code error} (the server is shutting down), cancelling its sequences. */
  public record Abort(ApiError error) implements Command {}

  /**
   * The client's connection closed before the response was handed to it: nobody will read the answer, so its
   * sequences are cancelled. Ignored once the response exists (a stream then learns of a disconnect itself).
   */
  public record ClientGone() implements Command {}

  private record FromModel(GenerationEvent event) implements Command {}

  /** The response stream ended: normally after our [DONE], otherwise because the client left. */
  private record StreamEnded(Throwable failure) implements Command {}

  /** A replica holding some of our sequences stopped (or its node was downed). */
  private record ReplicaStopped(ActorRef<ModelActor.Command> replica) implements Command {}

  /**
   * A node holding some of our sequences became unreachable: its failure detector's verdict comes seconds before
   * the node is downed (which would stop the watched replica), and the client should not wait for that.
   */
  private record NodeUnreachable(Address node) implements Command {}

  private enum Timeout implements Command {
    ADMISSION,
    WHOLE_RESPONSE,
    DRAIN
  }

  private static final ApiError CLIENT_GONE =
      ApiError.badRequest("client_disconnected", null, "The client closed the connection before the response.");
  private static final StatusCode CLIENT_CLOSED_REQUEST =
      StatusCodes.custom(499, "Client Closed Request", CLIENT_GONE.message(), false, true);

  /** Events of sequences we cancelled may still arrive; after this the actor stops regardless. */
  private static final Duration DRAIN_GRACE = Duration.ofSeconds(10);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final GenerationJob job;
  private final RequestServices services;
  private final CompletableFuture<HttpResponse> response;
  private final ResponseFormat format;
  private final SseOutlet outlet;
  private final List<ChoiceState> choices = new ArrayList<>();
  private final Map<String, ChoiceState> byRequestId = new HashMap<>();
  private final Set<ActorRef<ModelActor.Command>> watchedReplicas = new HashSet<>();
  private boolean watchingReachability;
  private final long startNanos = System.nanoTime();
  private boolean firstTokenSeen;
  private boolean responded;
  /** The HTTP side finished consuming the stream (all bytes handed to the connection), or the client left. */
  private boolean streamEnded;
  /** The stream's buffer was full when a frame was offered: the client reads slower than the model writes. */
  private boolean clientTooSlow;

  public static Behavior<Command> create(
      GenerationJob job, RequestServices services, CompletableFuture<HttpResponse> response) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(
            timers -> new CompletionRequestActor(context, timers, job, services, response).start()));
  }

  private CompletionRequestActor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      GenerationJob job,
      RequestServices services,
      CompletableFuture<HttpResponse> response) {
    this.context = context;
    this.timers = timers;
    this.job = job;
    this.services = services;
    this.response = response;
    this.format = ResponseFormat.of(job);
    this.outlet = new SseOutlet(services.settings().streamBuffer(), services.settings().sseKeepAlive());
  }

  /** Sends every choice's request to the model and starts admitting. */
  private Behavior<Command> start() {
    services.inFlight().add(context.getSelf());
    ActorRef<GenerationEvent> events = context.messageAdapter(GenerationEvent.class, FromModel::new);
    for (GenerationJob.Choice choice : job.choices()) {
      GenerationJob.Prompt prompt = job.prompts().get(choice.promptIndex());
      ChoiceState state =
          new ChoiceState(
              choice.index(), choice.promptIndex(), choice.request().id(), job.model().tokenizer(), prompt.ids(),
              job.options().stop(), job.topLogprobs() >= 0, job.echo() ? prompt.echoText() : "",
              job.toolCalling());
      choices.add(state);
      byRequestId.put(state.requestId, state);
      job.model().actor().tell(new ModelActor.Generate(choice.request(), events));
    }
    timers.startSingleTimer(Timeout.ADMISSION, services.settings().admissionTimeout());
    Duration wholeDeadline = services.settings().wholeResponseDeadline();
    if (!job.options().stream() && wholeDeadline != null) {
      timers.startSingleTimer(Timeout.WHOLE_RESPONSE, wholeDeadline);
    }
    return admitting();
  }

  // ---- phases ----

  /** Waiting until every choice is accepted; tokens of choices already running are kept for the response. */
  private Behavior<Command> admitting() {
    return Behaviors.receive(Command.class)
        .onMessage(FromModel.class, m -> onModelEvent(m.event()))
        .onMessageEquals(Timeout.ADMISSION, () -> fail(ApiError.overloaded(
            "The model did not admit the request within " + services.settings().admissionTimeout().toSeconds()
                + " s; it is overloaded. Please retry later.",
            retryAfter())))
        .onMessage(ClientGone.class, m -> onClientGoneBeforeResponse())
        .onMessageEquals(Timeout.WHOLE_RESPONSE, this::onWholeResponseTimeout)
        .onMessage(ReplicaStopped.class, this::onReplicaStopped)
        .onMessage(NodeUnreachable.class, this::onNodeUnreachable)
        .onMessage(Abort.class, a -> fail(a.error()))
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  /** Every choice is accepted: tokens flow into the stream or the whole response. */
  private Behavior<Command> generating() {
    return Behaviors.receive(Command.class)
        .onMessage(FromModel.class, m -> onModelEvent(m.event()))
        .onMessage(StreamEnded.class, this::onStreamEndedWhileGenerating)
        .onMessage(ClientGone.class, m -> responded ? Behaviors.same() : onClientGoneBeforeResponse())
        .onMessageEquals(Timeout.WHOLE_RESPONSE, this::onWholeResponseTimeout)
        .onMessage(ReplicaStopped.class, this::onReplicaStopped)
        .onMessage(NodeUnreachable.class, this::onNodeUnreachable)
        .onMessage(Abort.class, a -> fail(a.error()))
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  /**
   * The client-visible request is over: wait for the stream's last byte to leave and for every replica's last
   * event (a choice accepted only now is cancelled at once), or for the grace period.
   */
  private Behavior<Command> draining() {
    timers.cancel(Timeout.ADMISSION);
    timers.cancel(Timeout.WHOLE_RESPONSE);
    if (!timers.isTimerActive(Timeout.DRAIN)) {
      timers.startSingleTimer(Timeout.DRAIN, DRAIN_GRACE);
    }
    return stopIfDrained(Behaviors.receive(Command.class)
        .onMessage(FromModel.class, m -> onModelEventWhileDraining(m.event()))
        .onMessage(StreamEnded.class, m -> {
          streamEnded = true;
          outlet.markEnded();
          return stopIfDrained(Behaviors.same());
        })
        .onMessage(ReplicaStopped.class, m -> {
          choicesOn(m.replica()).forEach(c -> c.terminal = true);
          return stopIfDrained(Behaviors.same());
        })
        .onMessage(NodeUnreachable.class, m -> {
          choicesOnNode(m.node()).forEach(c -> c.terminal = true);
          return stopIfDrained(Behaviors.same());
        })
        .onMessageEquals(Timeout.DRAIN, this::stop)
        .onAnyMessage(m -> Behaviors.same())
        .onSignal(PostStop.class, s -> onPostStop())
        .build());
  }

  private Behavior<Command> stopIfDrained(Behavior<Command> otherwise) {
    boolean delivered = !outlet.isOpen() || streamEnded;
    if (delivered) {
      services.inFlight().remove(context.getSelf()); // the client is served: shutdown need not wait
      if (choices.stream().allMatch(c -> c.terminal)) {
        return stop();
      }
    }
    return otherwise;
  }

  // ---- events from the model ----

  private Behavior<Command> onModelEvent(GenerationEvent event) {
    ChoiceState choice = byRequestId.get(event.requestId());
    if (choice == null) {
      return Behaviors.same();
    }
    if (event instanceof GenerationEvent.Routed r) {
      // Watched from now: a replica whose node dies before it accepts must not leave the request waiting.
      choice.replica = r.replica();
      watch(r.replica());
    } else if (event instanceof GenerationEvent.Accepted a) {
      choice.replica = a.replica();
      choice.accepted = true;
      watch(a.replica());
      if (choices.stream().allMatch(ChoiceState::isAccepted)) {
        timers.cancel(Timeout.ADMISSION);
        if (job.options().stream()) {
          openStream();
        }
        return next(generating());
      }
    } else if (event instanceof GenerationEvent.Started s) {
      choice.cachedPromptTokens = s.cachedPromptTokens();
    } else if (event instanceof GenerationEvent.Tokens t) {
      return onTokens(choice, t);
    } else if (event instanceof GenerationEvent.Finished f) {
      choice.terminal = true;
      choice.cachedPromptTokens = Math.max(choice.cachedPromptTokens, f.cachedPromptTokens());
      if (!choice.isFinished()) {
        if (f.reason() == FinishReason.ABORTED) {
          return fail(ApiError.overloaded(
              "The server cancelled the generation (it may be shutting down).", retryAfter()));
        }
        emit(choice, choice.onFinished(f.reason()));
        return onChoiceFinished(choice);
      }
    } else if (event instanceof GenerationEvent.Rejected r) {
      choice.terminal = true;
      return fail(rejection(r.rejection()));
    } else if (event instanceof GenerationEvent.Failed f) {
      choice.terminal = true;
      context.getLog().warn("Request {}: the model failed: {}", job.id(), f.message());
      return fail(ApiError.internalWithMessage(f.message()));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onModelEventWhileDraining(GenerationEvent event) {
    ChoiceState choice = byRequestId.get(event.requestId());
    if (choice != null) {
      if (event instanceof GenerationEvent.Accepted a) {
        choice.replica = a.replica();
        choice.accepted = true;
        a.replica().tell(new ModelActor.Cancel(choice.requestId)); // accepted after the request ended
      } else if (event instanceof GenerationEvent.Finished f) {
        choice.terminal = true;
        choice.cachedPromptTokens = Math.max(choice.cachedPromptTokens, f.cachedPromptTokens());
      } else if (event instanceof GenerationEvent.Rejected || event instanceof GenerationEvent.Failed) {
        choice.terminal = true;
      }
    }
    return stopIfDrained(Behaviors.same());
  }

  private Behavior<Command> onTokens(ChoiceState choice, GenerationEvent.Tokens tokens) {
    if (!firstTokenSeen) {
      firstTokenSeen = true;
      services.metrics().firstToken(job.model().id(), (System.nanoTime() - startNanos) / 1e9);
    }
    if (choice.isFinished()) {
      return Behaviors.same(); // tokens in flight after a stop match
    }
    ChoiceState.Delta delta = choice.onTokens(tokens.tokens());
    emit(choice, delta);
    // Handed to the response (whose own bounded buffer guards against a slow client): the replica may send more.
    choice.replica.tell(new ModelActor.TokensHandled(choice.requestId, tokens.seq()));
    if (delta.stopMatched()) {
      choice.replica.tell(new ModelActor.Cancel(choice.requestId));
      return onChoiceFinished(choice);
    }
    return next(Behaviors.same());
  }

  private void emit(ChoiceState choice, ChoiceState.Delta delta) {
    if (job.options().stream() && !delta.isEmpty()) {
      for (ObjectNode chunk : format.deltaChunks(choice, delta)) {
        send(SseFrames.data(chunk));
      }
    }
  }

  private Behavior<Command> onChoiceFinished(ChoiceState choice) {
    if (job.options().stream()) {
      send(SseFrames.data(format.finishChunk(choice)));
    }
    if (choices.stream().allMatch(ChoiceState::isFinished)) {
      return complete();
    }
    return next(Behaviors.same());
  }

  /** Every choice finished: the usage chunk and [DONE], or the whole response. */
  private Behavior<Command> complete() {
    ObjectNode usage = UsageTally.json(usage());
    // Recorded before the answer leaves, so a client that reads /metrics right after it sees this request.
    report("ok");
    if (job.options().stream()) {
      if (job.options().includeUsage()) {
        send(SseFrames.data(format.usageChunk(usage)));
      }
      send(SseFrames.DONE);
      outlet.complete();
    } else {
      respond(HttpResponse.create()
          .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(format.whole(choices, usage))));
    }
    return draining();
  }

  // ---- endings other than completion ----

  /** Ends the request with an error: a status before the response started, an error event after. */
  private Behavior<Command> fail(ApiError error) {
    cancelUnfinished();
    report(error.code());
    if (!responded) {
      respond(ErrorResponses.response(error));
    } else {
      send(SseFrames.data(ErrorResponses.envelope(error)));
      send(SseFrames.DONE);
      outlet.complete();
    }
    return draining();
  }

  private Behavior<Command> onStreamEndedWhileGenerating(StreamEnded ended) {
    streamEnded = true;
    boolean endedByUs = outlet.isClosed();
    outlet.markEnded();
    if (!endedByUs) {
      context.getLog().debug("Request {}: client disconnected; cancelling", job.id());
      cancelUnfinished();
      report("client_disconnected");
    }
    return draining();
  }

  private Behavior<Command> onClientGoneBeforeResponse() {
    context.getLog().debug("Request {}: client disconnected before the response; cancelling", job.id());
    cancelUnfinished();
    // Nobody reads it (the connection is gone); it completes the route (and its metrics) like nginx's 499.
    report("client_disconnected");
    respond(ErrorResponses.response(CLIENT_GONE).withStatus(CLIENT_CLOSED_REQUEST));
    return draining();
  }

  private Behavior<Command> onReplicaStopped(ReplicaStopped stopped) {
    List<ChoiceState> lost = choicesOn(stopped.replica());
    lost.forEach(c -> c.terminal = true);
    if (lost.stream().allMatch(ChoiceState::isFinished)) {
      return Behaviors.same();
    }
    return fail(ApiError.overloaded("The model replica stopped while generating. Please retry.", retryAfter()));
  }

  private Behavior<Command> onNodeUnreachable(NodeUnreachable unreachable) {
    List<ChoiceState> lost = choicesOnNode(unreachable.node());
    if (lost.isEmpty()) {
      return Behaviors.same();
    }
    lost.forEach(c -> c.terminal = true);
    context.getLog().warn("Request {}: node {} holding its generation became unreachable", job.id(), unreachable.node());
    return fail(ApiError.overloaded(
        "The cluster node generating this answer became unreachable. Please retry.", retryAfter()));
  }

  /** Answers before Pekko's request timeout would, and stops the model generating an answer nobody gets. */
  private Behavior<Command> onWholeResponseTimeout() {
    if (responded) {
      return Behaviors.same();
    }
    context.getLog().info("Request {}: not ready within the request timeout; cancelling", job.id());
    return fail(ApiError.wholeResponseTimedOut());
  }

  /** The client reads slower than the model writes and the buffer is full: give up on it. */
  private Behavior<Command> clientTooSlow() {
    context.getLog().info("Request {}: client too slow, stream buffer full; aborting", job.id());
    cancelUnfinished();
    report("client_too_slow");
    return draining();
  }

  /** Cancels every sequence still running, at its replica; one not yet accepted is cancelled when it is. */
  private void cancelUnfinished() {
    for (ChoiceState c : choices) {
      if (!c.terminal && c.replica != null) {
        c.replica.tell(new ModelActor.Cancel(c.requestId));
      }
    }
  }

  /** Stops; PostStop (handled in every phase) releases what the request holds. */
  private Behavior<Command> stop() {
    return Behaviors.stopped();
  }

  /** Releases the stream and leaves the in-flight set, however the actor stops. */
  private Behavior<Command> onPostStop() {
    cleanUp();
    return Behaviors.same();
  }

  private void cleanUp() {
    // A request that stops before it answered (its behavior failed) still answers: never a client left hanging.
    if (!responded) {
      context.getLog().error("Request {} stopped before it answered", job.id());
      respond(ErrorResponses.response(ApiError.internal(job.id())));
    }
    outlet.fail(new IllegalStateException("request " + job.id() + " ended without completing its stream"));
    services.inFlight().remove(context.getSelf());
  }

  /** Watches a replica that accepted a choice, and, for one on another node, that node's reachability. */
  private void watch(ActorRef<ModelActor.Command> replica) {
    if (watchedReplicas.add(replica)) {
      context.watchWith(replica, new ReplicaStopped(replica));
    }
    if (!watchingReachability && isRemote(replica)) {
      watchingReachability = true;
      // Subscribers are watched by the cluster, so the subscription ends with this actor.
      ActorRef<ClusterEvent.UnreachableMember> unreachable = context.messageAdapter(
          ClusterEvent.UnreachableMember.class, event -> new NodeUnreachable(event.member().address()));
      Cluster.get(context.getSystem()).subscriptions()
          .tell(Subscribe.create(unreachable, ClusterEvent.UnreachableMember.class));
    }
  }

  private boolean isRemote(ActorRef<?> replica) {
    Address address = replica.path().address();
    return address.hasGlobalScope() && !address.equals(context.getSystem().address());
  }

  private List<ChoiceState> choicesOn(ActorRef<ModelActor.Command> replica) {
    return choices.stream().filter(c -> replica.equals(c.replica) && !c.terminal).toList();
  }

  private List<ChoiceState> choicesOnNode(Address node) {
    return choices.stream()
        .filter(c -> c.replica != null && !c.terminal && node.equals(c.replica.path().address()))
        .toList();
  }

  // ---- the response ----

  private void openStream() {
    ActorRef<Command> self = context.getSelf();
    respond(outlet.open(context.getSystem(), failure -> self.tell(new StreamEnded(failure))));
    List<ByteString> opening = new ArrayList<>();
    for (ChoiceState c : choices) {
      for (ObjectNode chunk : format.openingChunks(c)) {
        opening.add(SseFrames.data(chunk));
      }
    }
    if (!outlet.flushPending(opening)) {
      clientTooSlow = true;
    }
  }

  private void send(ByteString frame) {
    if (!outlet.send(frame)) {
      clientTooSlow = true;
    }
  }

  /** {@code otherwise}, unless the client could not keep up with the stream: then the request drains. */
  private Behavior<Command> next(Behavior<Command> otherwise) {
    return clientTooSlow ? clientTooSlow() : otherwise;
  }

  private void respond(HttpResponse httpResponse) {
    if (!responded) {
      responded = true;
      response.complete(httpResponse);
    }
  }

  // ---- usage and errors ----

  private Usage usage() {
    return UsageTally.of(job, choices);
  }

  private void report(String outcome) {
    Usage usage = usage();
    services.guard().recordUsage(job.caller(), usage);
    services.metrics().requestFinished(
        job.model().id(), job.kind(), outcome, usage, (System.nanoTime() - startNanos) / 1e9);
  }

  /** The one mapping of a model's refusal to an HTTP error. */
  private ApiError rejection(Rejection rejection) {
    String promptParam = job.kind() == dev.robin.api.openai.ResponseKind.CHAT ? "messages" : "prompt";
    return switch (rejection.reason()) {
      case QUEUE_FULL -> ApiError.overloaded(
          "The model '" + job.model().id() + "' is overloaded (its queue is full). Please retry later.",
          retryAfter());
      case UNAVAILABLE -> ApiError.overloaded(
          "The model '" + job.model().id() + "' cannot take requests now (" + rejection.message()
              + "). Please retry later.",
          retryAfter());
      case CONTEXT_LENGTH_EXCEEDED -> ApiError.badRequest("context_length_exceeded", promptParam, rejection.message());
      case INVALID -> ApiError.invalidValue(promptParam, rejection.message());
    };
  }

  private Duration retryAfter() {
    return services.settings().overloadRetryAfter();
  }
}
