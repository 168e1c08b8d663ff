package dev.robin.api.testkit;

import dev.robin.serving.replica.GenerationEvent;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.scheduler.Scheduler;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.StepStats;
import dev.robin.engine.sampling.SampledToken;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A model replica that speaks {@link ModelActor}'s protocol without a model (it is the model's router and its
 * one replica at once): each sequence emits the token ids of
 * {@link Script#tokens} one per {@link Script#tokenInterval} (cycling), then EOS (unless {@code ignore_eos}),
 * honouring {@code maxTokens}, {@code Cancel} and the scheduler's length rule ({@link Scheduler#checkFits}). Every command it receives is recorded with its arrival time,
 * and it publishes {@link ModelStats} like the real one.
 */
public final class FakeModel {

  /**
   * @param tokens the generated ids, in order
   * @param endWithEos whether EOS follows the last scripted token (otherwise the script repeats)
   * @param startDelay between Accepted and Started (a long prefill)
   * @param stepBlock how long each step blocks the actor's thread (a busy step loop)
   * @param overloaded whether every Generate is rejected as OVERLOADED
   * @param cachedTokens reported as prefix-cache hits
   */
  public record Script(
      List<Integer> tokens, boolean endWithEos, Duration tokenInterval, Duration startDelay, Duration stepBlock,
      boolean overloaded, int cachedTokens) {

    public static Script of(List<Integer> tokens) {
      return new Script(tokens, true, Duration.ofMillis(2), Duration.ZERO, Duration.ZERO, false, 0);
    }

    public Script withInterval(Duration d) {
      return new Script(tokens, endWithEos, d, startDelay, stepBlock, overloaded, cachedTokens);
    }

    public Script withStartDelay(Duration d) {
      return new Script(tokens, endWithEos, tokenInterval, d, stepBlock, overloaded, cachedTokens);
    }

    public Script withStepBlock(Duration d) {
      return new Script(tokens, endWithEos, tokenInterval, startDelay, d, overloaded, cachedTokens);
    }

    public Script repeating() {
      return new Script(tokens, false, tokenInterval, startDelay, stepBlock, overloaded, cachedTokens);
    }

    public Script overloadedModel() {
      return new Script(tokens, endWithEos, tokenInterval, startDelay, stepBlock, true, cachedTokens);
    }

    public Script withCachedTokens(int n) {
      return new Script(tokens, endWithEos, tokenInterval, startDelay, stepBlock, overloaded, n);
    }
  }

  /** A command and when it arrived. */
  public record Received(ModelActor.Command command, long nanoTime) {}

  // ModelActor.Command is sealed: the fake's own timer messages travel beside it as plain objects.
  private record Start(String requestId) {}

  private record Step(String requestId) {}

  private static final class Sequence {
    final ModelActor.Generate generate;
    int produced;

    Sequence(ModelActor.Generate generate) {
      this.generate = generate;
    }
  }

  public final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  public final AtomicReference<ModelStats> stats;
  private final String modelId;
  /** The context it enforces; the test server sets the served model's. */
  private volatile int maxModelLen = Integer.MAX_VALUE;
  private volatile Script script;
  /** When >= 0, each sequence fails (a {@code Failed} event) after this many tokens. */
  public volatile int failAfterTokens = -1;
  private long numRequests;
  private long numGenerated;
  private long numCancelled;

  public FakeModel(String modelId, Script script) {
    this.modelId = modelId;
    this.script = script;
    this.stats = new AtomicReference<>(ready(0, 0));
  }

  /** The model's context in tokens: longer prompts are refused, and generation stops at its end. */
  public void setMaxModelLen(int maxModelLen) {
    this.maxModelLen = maxModelLen;
  }

  public void setScript(Script script) {
    this.script = script;
  }

  public List<ModelActor.Cancel> cancels() {
    return received.stream()
        .filter(r -> r.command() instanceof ModelActor.Cancel)
        .map(r -> (ModelActor.Cancel) r.command())
        .toList();
  }

  /** The requests it was asked to generate, in arrival order. */
  public List<GenerationRequest> generates() {
    return received.stream()
        .filter(r -> r.command() instanceof ModelActor.Generate)
        .map(r -> ((ModelActor.Generate) r.command()).request())
        .toList();
  }

  /** The actor's behavior, narrowed to the protocol (its own timer messages are private). */
  public Behavior<ModelActor.Command> behavior() {
    return Behaviors.<Object>setup(context -> Behaviors.<Object>withTimers(
        timers -> {
          ActorRef<ModelActor.Command> self = context.getSelf().narrow();
          Map<String, Sequence> running = new HashMap<>();
          return Behaviors.receive(Object.class)
              .onMessage(
                  ModelActor.Generate.class,
                  g -> {
                    received.add(new Received(g, System.nanoTime()));
                    String requestId = g.request().id();
                    Script s = script;
                    if (s.overloaded()) {
                      g.replyTo().tell(new GenerationEvent.Rejected(requestId,
                          new Rejection(Rejection.Reason.QUEUE_FULL, "queue full")));
                      return Behaviors.same();
                    }
                    Optional<Rejection> unfit = Scheduler.checkFits(g.request(), maxModelLen);
                    if (unfit.isPresent()) {
                      g.replyTo().tell(new GenerationEvent.Rejected(requestId, unfit.get()));
                      return Behaviors.same();
                    }
                    numRequests++;
                    running.put(requestId, new Sequence(g));
                    g.replyTo().tell(new GenerationEvent.Accepted(requestId, self));
                    timers.startSingleTimer(requestId, new Start(requestId), s.startDelay());
                    publish(running.size());
                    return Behaviors.same();
                  })
              .onMessage(
                  ModelActor.Cancel.class,
                  c -> {
                    received.add(new Received(c, System.nanoTime()));
                    Sequence seq = running.remove(c.requestId());
                    if (seq != null) {
                      timers.cancel(c.requestId());
                      numCancelled++;
                      seq.generate.replyTo().tell(new GenerationEvent.Finished(c.requestId(),
                          FinishReason.ABORTED, seq.generate.request().promptIds().length, seq.produced,
                          script.cachedTokens()));
                      publish(running.size());
                    }
                    return Behaviors.same();
                  })
              .onMessage(
                  Start.class,
                  st -> {
                    Sequence seq = running.get(st.requestId());
                    if (seq != null) {
                      seq.generate.replyTo().tell(new GenerationEvent.Started(st.requestId(), script.cachedTokens()));
                      timers.startTimerWithFixedDelay(st.requestId(), new Step(st.requestId()), script.tokenInterval());
                    }
                    return Behaviors.same();
                  })
              .onMessage(
                  Step.class,
                  st -> {
                    Sequence seq = running.get(st.requestId());
                    if (seq == null) {
                      return Behaviors.same();
                    }
                    Script s = script;
                    if (!s.stepBlock().isZero()) {
                      Thread.sleep(s.stepBlock().toMillis()); // a step loop that hogs its thread
                    }
                    ModelActor.Generate g = seq.generate;
                    GenerationRequest r = g.request();
                    if (failAfterTokens >= 0 && seq.produced >= failAfterTokens) {
                      running.remove(r.id());
                      timers.cancel(r.id());
                      g.replyTo().tell(new GenerationEvent.Failed(r.id(), "The model ran out of memory."));
                      return Behaviors.same();
                    }
                    boolean eos = s.endWithEos() && !r.ignoreEos() && seq.produced == s.tokens().size();
                    int id = eos ? FakeTokenizer.EOS : s.tokens().get(seq.produced % s.tokens().size());
                    seq.produced++;
                    numGenerated++;
                    g.replyTo().tell(new GenerationEvent.Tokens(r.id(), seq.produced, List.of(sampled(id, r))));
                    boolean full = r.promptIds().length + seq.produced >= maxModelLen;
                    if (eos || seq.produced >= r.maxTokens() || full) {
                      running.remove(r.id());
                      timers.cancel(r.id());
                      g.replyTo().tell(new GenerationEvent.Finished(r.id(),
                          eos ? FinishReason.STOP : FinishReason.LENGTH,
                          r.promptIds().length, seq.produced, s.cachedTokens()));
                    }
                    publish(running.size());
                    return Behaviors.same();
                  })
              .build();
        })).narrow();
  }

  /** Log-probabilities: the chosen token -0.25, alternatives ids 2, 3, … at -1, -2, …. */
  private static SampledToken sampled(int id, GenerationRequest r) {
    int k = r.sampling().topLogprobs();
    if (k < 0) {
      return SampledToken.of(id);
    }
    int[] topIds = new int[k];
    float[] topLps = new float[k];
    for (int i = 0; i < k; i++) {
      topIds[i] = 2 + i;
      topLps[i] = -(i + 1);
    }
    return new SampledToken(id, -0.25f, topIds, topLps);
  }

  private void publish(int numRunning) {
    stats.set(new ModelStats(modelId, "cpu()", "test kernel", ModelStats.Status.READY, 0, numRunning, 0, numRunning, 64, 0.0,
        1.0, 42.0, numRequests, numGenerated, numCancelled, StepStats.EMPTY));
  }

  private ModelStats ready(int numRunning, int numWaiting) {
    return new ModelStats(modelId, "cpu()", "test kernel", ModelStats.Status.READY, numWaiting, numRunning, 0, 0, 64, 0.0, 0.0,
        0.0, 0, 0, 0, StepStats.EMPTY);
  }

  /** A reference for tests that need to send to the actor directly. */
  public record Handle(FakeModel model, ActorRef<ModelActor.Command> ref) {}
}
