package dev.robin.api.request;

import dev.robin.api.openai.ResponseKind;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.error.ErrorResponses;
import dev.robin.api.guard.Usage;
import dev.robin.api.json.Json;
import dev.robin.serving.replica.GenerationEvent;
import dev.robin.serving.replica.ModelProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.util.ByteString;

/**
 * One completion request, from the first {@code Generate} to the last byte of the response. It asks the model
 * actor for each choice's tokens, detokenizes them, applies stop strings (cancelling the sequence on a match)
 * and either streams SSE chunks into a bounded queue or completes the whole response. A stream's response
 * starts only when every choice is admitted, so an overloaded model still gets a proper 503. When the client
 * goes away the unfinished sequences are cancelled at once.
 */
public final class CompletionRequestActor extends AbstractBehavior<CompletionRequestActor.Command> {

  /** Messages of a request actor. */
  public sealed interface Command {}

  private record FromModel(GenerationEvent event) implements Command {}

  /** The response stream ended: normally after our [DONE], otherwise because the client left. */
  private record StreamEnded(Throwable failure) implements Command {}

  private record ModelActorStopped() implements Command {}

  /** End the request now with {@code error} (the server is shutting down), cancelling its sequences. */
  public record Abort(ApiError error) implements Command {}

  /**
   * The client's connection closed before the response was handed to it: nobody will read the answer, so its
   * sequences are cancelled. Ignored once the response exists (a stream then learns of a disconnect itself).
   */
  public record ClientGone() implements Command {}

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

  private final GenerationJob job;
  private final RequestServices services;
  private final CompletableFuture<HttpResponse> response;
  private final TimerScheduler<Command> timers;
  private final ResponseFormat format;
  private final ActorRef<ModelProtocol.Command> model;
  private final List<ChoiceState> choices = new ArrayList<>();
  private final Map<String, ChoiceState> bySequence = new HashMap<>();
  private final long startNanos = System.nanoTime();
  private boolean firstTokenSeen;

  private final SseOutlet outlet;
  private boolean responded;
  /** The client-visible request is over (answered, failed or abandoned); only draining remains. */
  private boolean done;
  /** The HTTP side finished consuming the stream (all bytes handed to the connection), or the client left. */
  private boolean streamEnded;

  public static Behavior<Command> create(
      GenerationJob job, RequestServices services, CompletableFuture<HttpResponse> response) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new CompletionRequestActor(ctx, timers, job, services, response)));
  }

  private CompletionRequestActor(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      GenerationJob job,
      RequestServices services,
      CompletableFuture<HttpResponse> response) {
    super(ctx);
    this.job = job;
    this.services = services;
    this.response = response;
    this.timers = timers;
    this.format = ResponseFormat.of(job);
    this.outlet = new SseOutlet(services.settings().streamBuffer(), services.settings().sseKeepAlive());
    this.model = job.model().actor();
    services.inFlight().add(ctx.getSelf());
    ActorRef<GenerationEvent> events = ctx.messageAdapter(GenerationEvent.class, FromModel::new);
    ctx.watchWith(model, new ModelActorStopped());
    int n = job.options().n();
    for (int p = 0; p < job.prompts().size(); p++) {
      GenerationJob.PreparedPrompt prompt = job.prompts().get(p);
      for (int i = 0; i < n; i++) {
        int index = p * n + i;
        String sequenceId = job.id() + "-" + index;
        ChoiceState choice =
            new ChoiceState(
                index, p, sequenceId, job.model().tokenizer(), prompt.ids(), job.options().stop(), job.topLogprobs() >= 0,
                job.echo() ? prompt.echoText() : "");
        choices.add(choice);
        bySequence.put(sequenceId, choice);
        model.tell(
            new ModelProtocol.Generate(
                sequenceId, prompt.ids(), job.samplingFor(index), prompt.maxTokens(), job.options().ignoreEos(),
                events));
      }
    }
    timers.startSingleTimer(Timeout.ADMISSION, services.settings().admissionTimeout());
    Duration wholeDeadline = services.settings().wholeResponseDeadline();
    if (!job.options().stream() && wholeDeadline != null) {
      timers.startSingleTimer(Timeout.WHOLE_RESPONSE, wholeDeadline);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromModel.class, m -> onModelEvent(m.event()))
        .onMessage(StreamEnded.class, this::onStreamEnded)
        .onMessage(ClientGone.class, m -> onClientGone())
        .onMessage(ModelActorStopped.class, m -> onModelActorStopped())
        .onMessageEquals(Timeout.ADMISSION, this::onAdmissionTimeout)
        .onMessageEquals(Timeout.WHOLE_RESPONSE, this::onWholeResponseTimeout)
        .onMessage(Abort.class, a -> {
          fail(a.error());
          return maybeStop();
        })
        .onMessageEquals(Timeout.DRAIN, this::stop)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  /** Releases the stream and leaves the in-flight set; also on an unexpected stop (PostStop). */
  private Behavior<Command> stop() {
    cleanUp();
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    cleanUp();
    return this;
  }

  private void cleanUp() {
    outlet.fail(new IllegalStateException("request " + job.id() + " ended without completing its stream"));
    services.inFlight().remove(getContext().getSelf());
  }

  private Behavior<Command> onModelEvent(GenerationEvent event) {
    ChoiceState choice = bySequence.get(event.requestId());
    if (choice == null) {
      return this;
    }
    if (event instanceof GenerationEvent.Accepted) {
      choice.accepted = true;
      if (!done && job.options().stream() && choices.stream().allMatch(c -> c.accepted)) {
        openStream();
      }
    } else if (event instanceof GenerationEvent.Started s) {
      choice.accepted = true;
      choice.cachedPromptTokens = s.cachedPromptTokens();
    } else if (event instanceof GenerationEvent.Tokens t) {
      onTokens(choice, t);
    } else if (event instanceof GenerationEvent.Finished f) {
      choice.terminal = true;
      choice.cachedPromptTokens = Math.max(choice.cachedPromptTokens, f.cachedPromptTokens());
      if (!choice.isFinished() && !done) {
        if (f.reason() == GenerationEvent.FinishReason.CANCELLED) {
          fail(ApiError.overloaded("The server cancelled the generation (it may be shutting down).", retryAfter()));
        } else {
          emit(choice, choice.onFinished(f.reason()));
          onChoiceFinished(choice);
        }
      }
    } else if (event instanceof GenerationEvent.Rejected r) {
      choice.terminal = true;
      fail(rejection(r));
    } else if (event instanceof GenerationEvent.Failed f) {
      choice.terminal = true;
      getContext().getLog().warn("Request {}: the model failed: {}", job.id(), f.message());
      fail(ApiError.internalWithMessage(f.message()));
    }
    return maybeStop();
  }

  private void onTokens(ChoiceState choice, GenerationEvent.Tokens tokens) {
    choice.accepted = true;
    if (!firstTokenSeen) {
      firstTokenSeen = true;
      services.metrics().firstToken(job.model().id(), (System.nanoTime() - startNanos) / 1e9);
    }
    if (choice.isFinished() || done) {
      return; // tokens in flight after a stop match or a cancel
    }
    ChoiceState.Delta delta = choice.onTokens(tokens.tokens());
    emit(choice, delta);
    if (delta.stopMatched()) {
      model.tell(new ModelProtocol.Cancel(choice.sequenceId));
      onChoiceFinished(choice);
    }
  }

  private void emit(ChoiceState choice, ChoiceState.Delta delta) {
    if (job.options().stream() && !delta.isEmpty()) {
      send(SseFrames.data(format.deltaChunk(choice, delta)));
    }
  }

  private void onChoiceFinished(ChoiceState choice) {
    if (job.options().stream()) {
      send(SseFrames.data(format.finishChunk(choice)));
    }
    if (choices.stream().allMatch(ChoiceState::isFinished)) {
      complete();
    }
  }

  /** Every choice finished: the usage chunk and [DONE], or the whole response. */
  private void complete() {
    done = true;
    timers.cancel(Timeout.ADMISSION);
    ObjectNode usage = usageJson();
    // Recorded before the answer leaves, so a client that reads /metrics right after it sees this request.
    report("ok");
    if (job.options().stream()) {
      if (job.options().includeUsage()) {
        send(SseFrames.data(format.usageChunk(usage)));
      }
      send(SseFrames.DONE);
      outlet.complete();
    } else {
      respond(
          HttpResponse.create()
              .withEntity(
                  org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON,
                  Json.bytes(format.whole(choices, usage))));
    }
  }

  /** Ends the request with an error: a status before the response started, an error event after. */
  private void fail(ApiError error) {
    if (done) {
      return;
    }
    done = true;
    timers.cancel(Timeout.ADMISSION);
    cancelUnfinished();
    report(error.code());
    if (!responded) {
      respond(ErrorResponses.response(error));
    } else {
      send(SseFrames.data(ErrorResponses.envelope(error)));
      send(SseFrames.DONE);
      outlet.complete();
    }
  }

  private Behavior<Command> onStreamEnded(StreamEnded ended) {
    streamEnded = true;
    boolean endedByUs = outlet.isClosed();
    outlet.markEnded();
    if (!endedByUs && !done) {
      getContext().getLog().debug("Request {}: client disconnected; cancelling", job.id());
      done = true;
      cancelUnfinished();
      report("client_disconnected");
    }
    return maybeStop();
  }

  private Behavior<Command> onClientGone() {
    if (responded || done) {
      return this;
    }
    getContext().getLog().debug("Request {}: client disconnected before the response; cancelling", job.id());
    done = true;
    timers.cancel(Timeout.ADMISSION);
    cancelUnfinished();
    // Nobody reads it (the connection is gone); it completes the route (and its metrics) like nginx's 499.
    report("client_disconnected");
    respond(ErrorResponses.response(CLIENT_GONE).withStatus(CLIENT_CLOSED_REQUEST));
    return maybeStop();
  }

  private Behavior<Command> onModelActorStopped() {
    for (ChoiceState c : choices) {
      c.terminal = true;
    }
    fail(ApiError.internalWithMessage("The model stopped while generating. Please retry."));
    return stop();
  }

  private Behavior<Command> onAdmissionTimeout() {
    if (!done && !choices.stream().allMatch(c -> c.accepted)) {
      fail(
          ApiError.overloaded(
              "The model did not admit the request within " + services.settings().admissionTimeout().toSeconds()
                  + " s; it is overloaded. Please retry later.",
              retryAfter()));
    }
    return maybeStop();
  }

  /** Answers before Pekko's request timeout would, and stops the model generating an answer nobody gets. */
  private Behavior<Command> onWholeResponseTimeout() {
    if (!done && !responded) {
      getContext().getLog().info("Request {}: not ready within the request timeout; cancelling", job.id());
      fail(ApiError.wholeResponseTimedOut());
    }
    return maybeStop();
  }

  private void cancelUnfinished() {
    for (ChoiceState c : choices) {
      if (!c.terminal) {
        model.tell(new ModelProtocol.Cancel(c.sequenceId));
      }
    }
  }

  /**
   * Stops once the client is served (a stream: its last byte left for the connection) and the model has sent
   * the last event of every sequence.
   */
  private Behavior<Command> maybeStop() {
    if (!done) {
      return this;
    }
    boolean delivered = !outlet.isOpen() || streamEnded;
    if (delivered) {
      services.inFlight().remove(getContext().getSelf()); // the client is served: shutdown need not wait
      if (choices.stream().allMatch(c -> c.terminal)) {
        return stop();
      }
    }
    if (!timers.isTimerActive(Timeout.DRAIN)) {
      timers.startSingleTimer(Timeout.DRAIN, DRAIN_GRACE);
    }
    return this;
  }

  // ---- the response ----

  private void openStream() {
    ActorRef<Command> self = getContext().getSelf();
    respond(outlet.open(getContext().getSystem(), failure -> self.tell(new StreamEnded(failure))));
    List<ByteString> opening = new ArrayList<>();
    for (ChoiceState c : choices) {
      for (ObjectNode chunk : format.openingChunks(c)) {
        opening.add(SseFrames.data(chunk));
      }
    }
    if (!outlet.flushPending(opening)) {
      onClientTooSlow();
    }
  }

  private void send(ByteString frame) {
    if (!outlet.send(frame)) {
      onClientTooSlow();
    }
  }

  /** The client reads slower than the model writes and the buffer is full: give up on it. */
  private void onClientTooSlow() {
    getContext().getLog().info("Request {}: client too slow, stream buffer full; aborting", job.id());
    if (!done) {
      done = true;
      timers.cancel(Timeout.ADMISSION);
      cancelUnfinished();
      report("client_too_slow");
    }
  }

  private void respond(HttpResponse httpResponse) {
    if (!responded) {
      responded = true;
      response.complete(httpResponse);
    }
  }

  // ---- usage and errors ----

  private ObjectNode usageJson() {
    return UsageTally.json(usage());
  }

  private Usage usage() {
    return UsageTally.of(job, choices);
  }

  private void report(String outcome) {
    Usage usage = usage();
    services.guard().recordUsage(job.caller(), usage);
    services.metrics().requestFinished(
        job.model().id(), job.kind(), outcome, usage, (System.nanoTime() - startNanos) / 1e9);
  }

  private ApiError rejection(GenerationEvent.Rejected r) {
    return switch (r.reason()) {
      case OVERLOADED -> ApiError.overloaded(
          "The model '" + job.model().id() + "' is overloaded (its queue is full). Please retry later.",
          retryAfter());
      case SHUTTING_DOWN -> ApiError.overloaded("The server is shutting down. Please retry on another server.",
          retryAfter());
      case CONTEXT_LENGTH_EXCEEDED -> ApiError.badRequest(
          "context_length_exceeded", job.kind() == ResponseKind.CHAT ? "messages" : "prompt",
          r.message());
      case INVALID -> ApiError.invalidValue(null, r.message());
    };
  }

  private Duration retryAfter() {
    return services.settings().overloadRetryAfter();
  }
}
