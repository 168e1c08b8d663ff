package dev.robin.serving.replica;

import dev.robin.engine.request.GenerationRequest;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import dev.robin.serving.stats.StepKind;
import dev.robin.serving.stats.StepStats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.Rejection;
import dev.robin.serving.replica.ModelActor.Cancel;
import dev.robin.serving.replica.ModelActor.Command;
import dev.robin.serving.replica.ModelActor.Generate;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.sampling.LogitBias;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.Sampler;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.testkit.FakeRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ModelActorTest {

  private static final ActorTestKit testKit = ActorTestKit.create(RobinTestConfig.load(""));
  private static final AtomicInteger replicas = new AtomicInteger();
  private static final SchedulerConfig CONFIG =
      SchedulerConfig.defaults(4096, Set.of(0)).withMaxNumSeqs(4).withMaxNumWaiting(2);

  private final ModelStatsBoard board = new ModelStatsBoard();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A greedy sampler: argmax. */
  static Sampler greedy(SamplingParams params) {
    return new Sampler() {
      @Override
      public SampledToken sample(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
          best = logits[i] > logits[best] ? i : best;
        }
        return SampledToken.of(best);
      }

      @Override
      public void accept(int tokenId) {}
    };
  }

  /** The test kit's fake runner: the next token a function of the last one, each step taking {@code stepMillis}. */
  static FakeRunner runner(int numBlocks, long stepMillis) {
    return FakeRunner.builder()
        .numBlocks(numBlocks)
        .nextAfterLastToken()
        .stepDelay(Duration.ofMillis(stepMillis))
        .build();
  }

  private record Replica(ActorRef<Command> ref, ReplicaId id, FakeRunner runner) {}

  private Replica spawn(FakeRunner runner) {
    ReplicaId id = new ReplicaId("test-model", replicas.getAndIncrement());
    Behavior<Command> behavior =
        ModelActor.create(id, "cpu()", replica -> new EngineCore(CONFIG, runner, ModelActorTest::greedy), board);
    return new Replica(testKit.spawn(behavior, "model-" + id.replica(), ModelActor.PROPS), id, runner);
  }

  private static int[] prompt(int length) {
    return IntStream.range(0, length).map(i -> 1 + i % 50).toArray();
  }

  private static Generate generate(String id, int[] prompt, int maxTokens, TestProbe<GenerationEvent> probe) {
    return new Generate(GenerationRequest.of(id, prompt, SamplingParams.GREEDY, maxTokens), probe.getRef());
  }

  /** Skips events until one of {@code type} arrives. */
  private static <T extends GenerationEvent> T awaitEvent(TestProbe<GenerationEvent> probe, Class<T> type) {
    List<GenerationEvent> events =
        probe.fishForMessage(
            Duration.ofSeconds(5),
            e -> type.isInstance(e) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    return type.cast(events.get(events.size() - 1));
  }

  private ModelStats stats(Replica replica) {
    return board.get(replica.id().entityId()).orElseThrow();
  }

  /** Every token of a request, in order, from its Tokens events until Finished; checks the events' numbering. */
  private static List<Integer> tokensUntilFinished(TestProbe<GenerationEvent> probe, List<Integer> eventSizes) {
    List<Integer> tokens = new ArrayList<>();
    int seq = 0;
    while (true) {
      GenerationEvent e = probe.receiveMessage(Duration.ofSeconds(5));
      if (e instanceof GenerationEvent.Tokens t) {
        assertEquals(++seq, t.seq(), "events numbered 1, 2, ...");
        eventSizes.add(t.tokens().size());
        t.tokens().forEach(token -> tokens.add(token.tokenId()));
      } else if (e instanceof GenerationEvent.Finished) {
        return tokens;
      }
    }
  }

  @Test
  void aRequesterThatDoesNotAcknowledgeGetsABoundedNumberOfEventsAndEveryToken() {
    Replica model = spawn(runner(64, 0));
    TestProbe<GenerationEvent> silent = testKit.createTestProbe(GenerationEvent.class);
    model.ref().tell(generate("slow", prompt(4), 40, silent));
    List<Integer> sizes = new ArrayList<>();
    List<Integer> tokens = tokensUntilFinished(silent, sizes);
    assertEquals(40, tokens.size(), "no token lost");
    assertEquals(ModelActor.UNACKNOWLEDGED_TOKEN_EVENTS + 1, sizes.size(),
        "a window of one-step events, then the rest held back and sent with the finish: " + sizes);
    int expected = 4 % 50; // the prompt's last token
    for (int token : tokens) {
      expected = FakeRunner.next(expected, model.runner().vocabSize());
      assertEquals(expected, token, "in order");
    }
  }

  @Test
  void heldTokensFlowInOneEventOnTheAcknowledgement() {
    Replica model = spawn(runner(512, 2));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    int total = 200;
    model.ref().tell(generate("acked", prompt(4), total, probe));
    probe.expectMessageClass(GenerationEvent.Accepted.class);
    probe.expectMessageClass(GenerationEvent.Started.class);
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < ModelActor.UNACKNOWLEDGED_TOKEN_EVENTS; i++) {
      sizes.add(probe.expectMessageClass(GenerationEvent.Tokens.class).tokens().size());
    }
    assertEquals(List.of(1, 1, 1, 1, 1, 1, 1, 1), sizes, "one event per step while the window has room");
    // The window is full: steps go on, their tokens held back.
    probe.expectNoMessage(Duration.ofMillis(80));
    model.ref().tell(new ModelActor.TokensHandled("acked", ModelActor.UNACKNOWLEDGED_TOKEN_EVENTS));
    GenerationEvent.Tokens caughtUp = probe.expectMessageClass(GenerationEvent.Tokens.class);
    assertTrue(caughtUp.tokens().size() > 1, "the held steps' tokens in one event: " + caughtUp.tokens().size());
    int received = ModelActor.UNACKNOWLEDGED_TOKEN_EVENTS + caughtUp.tokens().size();
    model.ref().tell(new ModelActor.TokensHandled("acked", caughtUp.seq()));
    while (true) {
      GenerationEvent e = probe.receiveMessage(Duration.ofSeconds(5));
      if (e instanceof GenerationEvent.Tokens t) {
        received += t.tokens().size();
        model.ref().tell(new ModelActor.TokensHandled("acked", t.seq()));
      } else if (e instanceof GenerationEvent.Finished f) {
        assertEquals(total, f.completionTokens());
        break;
      }
    }
    assertEquals(total, received, "no token lost");
  }

  @Test
  void generateStreamsEventsInOrderOnThePinnedThread() {
    Replica model = spawn(runner(64, 0));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    int[] prompt = prompt(20);
    model.ref().tell(generate("r1", prompt, 5, probe));
    assertEquals("r1", assertInstanceOf(GenerationEvent.Accepted.class, probe.receiveMessage()).requestId());
    assertEquals(new GenerationEvent.Started("r1", 0), probe.receiveMessage());
    List<Integer> tokens = new ArrayList<>();
    int expected = prompt[prompt.length - 1];
    for (int i = 0; i < 5; i++) {
      GenerationEvent.Tokens t = probe.expectMessageClass(GenerationEvent.Tokens.class);
      assertEquals("r1", t.requestId());
      t.tokens().forEach(token -> tokens.add(token.tokenId()));
      expected = FakeRunner.next(expected, model.runner().vocabSize());
      assertEquals(expected, tokens.get(tokens.size() - 1));
    }
    assertEquals(new GenerationEvent.Finished("r1", FinishReason.LENGTH, 20, 5, 0), probe.receiveMessage());
    probe.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, model.runner().threadNames().size(), "one pinned thread: " + model.runner().threadNames());
    assertTrue(model.runner().threadNames().iterator().next().contains(ModelActor.DISPATCHER));
  }

  @Test
  void publishesStatsAfterSteps() {
    Replica model = spawn(runner(64, 2));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    model.ref().tell(generate("r1", prompt(40), 8, probe));
    awaitEvent(probe, GenerationEvent.Finished.class);
    probe.awaitAssert(
        () -> {
          ModelStats stats = stats(model);
          assertEquals(ModelStats.Status.READY, stats.status());
          assertEquals("test-model", stats.modelId());
          assertEquals(64, stats.numKvBlocksTotal());
          assertEquals(0, stats.numKvBlocksUsed());
          assertEquals(1, stats.numRequestsTotal());
          assertEquals(8, stats.numGeneratedTokensTotal());
          assertTrue(stats.tokensPerSecond1m() > 0);
          assertTrue(stats.lastStepMillis() >= 2, "the latest step ran the 2 ms runner: " + stats);
          StepStats steps = stats.steps();
          assertEquals(1, steps.durationSeconds(StepKind.PREFILL).count(), "the 40-token prompt in one step");
          assertEquals(7, steps.durationSeconds(StepKind.DECODE).count(), "then one step per further token");
          assertEquals(0, steps.durationSeconds(StepKind.MIXED).count());
          assertEquals(40.0, steps.numTokens(StepKind.PREFILL).sum());
          assertEquals(40, steps.numPromptTokensComputedTotal());
          assertEquals(7, steps.numDecodeTokensComputedTotal());
          return null;
        });
  }

  @Test
  void idleReplicaKeepsPublishingSoTheRateDecays() throws InterruptedException {
    Replica model = spawn(runner(64, 0));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    model.ref().tell(generate("r1", prompt(10), 3, probe));
    awaitEvent(probe, GenerationEvent.Finished.class);
    ModelStats afterFinish = stats(model);
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertTrue(stats(model) != afterFinish, "a fresh snapshot while idle");
          return null;
        });
  }

  @Test
  void refusesAtOnceWhenTheQueueIsFull() {
    Replica model = spawn(runner(256, 20));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    // Four long generations fill the running batch (max 4); then two may wait; then the queue is full.
    for (int i = 0; i < 4; i++) {
      model.ref().tell(generate("run" + i, prompt(10), 1000, probe));
      assertEquals("run" + i, awaitEvent(probe, GenerationEvent.Started.class).requestId());
    }
    TestProbe<GenerationEvent> late = testKit.createTestProbe(GenerationEvent.class);
    model.ref().tell(generate("w1", prompt(10), 5, late));
    model.ref().tell(generate("w2", prompt(10), 5, late));
    model.ref().tell(generate("w3", prompt(10), 5, late));
    assertEquals("w1", assertInstanceOf(GenerationEvent.Accepted.class, late.receiveMessage()).requestId());
    assertEquals("w2", assertInstanceOf(GenerationEvent.Accepted.class, late.receiveMessage()).requestId());
    GenerationEvent.Rejected rejected = late.expectMessageClass(GenerationEvent.Rejected.class);
    assertEquals("w3", rejected.requestId());
    assertEquals(Rejection.Reason.QUEUE_FULL, rejected.rejection().reason());
    testKit.stop(model.ref());
  }

  @Test
  void refusesAPromptLongerThanTheContextNamingBothLengths() {
    Replica model = spawn(runner(64, 0)); // 64 blocks of 16 = 1024 tokens
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    model.ref().tell(generate("big", prompt(2000), 5, probe));
    GenerationEvent.Rejected rejected = probe.expectMessageClass(GenerationEvent.Rejected.class);
    assertEquals(Rejection.Reason.CONTEXT_LENGTH_EXCEEDED, rejected.rejection().reason());
    String message = rejected.rejection().message();
    assertTrue(message.contains("1024") && message.contains("2000"), message);
    model.ref().tell(new Generate(GenerationRequest.of("empty", new int[0], SamplingParams.GREEDY, 5), probe.getRef()));
    assertEquals(Rejection.Reason.INVALID, probe.expectMessageClass(GenerationEvent.Rejected.class).rejection().reason());
  }

  @Test
  void cancelFinishesTheRequestAndFreesItsBlocks() {
    Replica model = spawn(runner(64, 10));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    model.ref().tell(generate("c1", prompt(100), 500, probe));
    probe.expectMessageClass(GenerationEvent.Accepted.class);
    probe.expectMessageClass(GenerationEvent.Started.class, Duration.ofSeconds(5));
    model.ref().tell(new Cancel("c1"));
    GenerationEvent.Finished finished =
        awaitEvent(probe, GenerationEvent.Finished.class);
    assertEquals(FinishReason.ABORTED, finished.reason());
    assertEquals(100, finished.promptTokens());
    assertTrue(finished.completionTokens() >= 1 && finished.completionTokens() < 500);
    probe.expectNoMessage(Duration.ofMillis(100));
    probe.awaitAssert(
        () -> {
          ModelStats stats = stats(model);
          assertEquals(0, stats.numKvBlocksUsed());
          assertEquals(0, stats.numRunning());
          assertEquals(1, stats.numCancelledTotal());
          return null;
        });
  }

  @Test
  void aStoppedRequesterHasItsSequenceAborted() {
    Replica model = spawn(runner(64, 10));
    TestProbe<GenerationEvent> monitor = testKit.createTestProbe(GenerationEvent.class);
    // A requester that stops as soon as its generation starts, like a client that went away.
    ActorRef<GenerationEvent> requester =
        testKit.spawn(
            Behaviors.receive(GenerationEvent.class)
                .onMessage(
                    GenerationEvent.class,
                    e -> {
                      monitor.getRef().tell(e);
                      return e instanceof GenerationEvent.Started ? Behaviors.stopped() : Behaviors.same();
                    })
                .build());
    model.ref().tell(new Generate(GenerationRequest.of("d1", prompt(50), SamplingParams.GREEDY, 2000), requester));
    monitor.expectMessageClass(GenerationEvent.Accepted.class);
    monitor.expectMessageClass(GenerationEvent.Started.class, Duration.ofSeconds(5));
    monitor.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          ModelStats stats = stats(model);
          assertEquals(0, stats.numRunning());
          assertEquals(0, stats.numKvBlocksUsed());
          assertEquals(1, stats.numCancelledTotal());
          return null;
        });
  }

  @Test
  void aFailingStepFailsItsRequestsAndTheReplicaKeepsServing() {
    FakeRunner runner = runner(64, 0);
    runner.failNextStep(new IllegalStateException("device lost"));
    Replica model = spawn(runner);
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    model.ref().tell(generate("f1", prompt(10), 5, probe));
    probe.expectMessageClass(GenerationEvent.Accepted.class);
    GenerationEvent.Failed failed = probe.expectMessageClass(GenerationEvent.Failed.class);
    assertEquals("f1", failed.requestId());
    model.ref().tell(generate("f2", prompt(10), 3, probe));
    probe.expectMessageClass(GenerationEvent.Accepted.class);
    probe.expectMessageClass(GenerationEvent.Started.class);
    GenerationEvent last =
        awaitEvent(probe, GenerationEvent.Finished.class);
    assertEquals(FinishReason.LENGTH, ((GenerationEvent.Finished) last).reason());
  }

  @Test
  void aSamplerFactoryBugFailsOnlyThatRequest() {
    ReplicaId id = new ReplicaId("buggy-sampler", 0);
    FakeRunner runner = runner(64, 0);
    ActorRef<Command> model =
        testKit.spawn(
            ModelActor.create(
                id,
                "cpu()",
                replica ->
                    new EngineCore(
                        CONFIG,
                        runner,
                        params -> {
                          if (params.topK() == 7) {
                            throw new NullPointerException("bug");
                          }
                          return greedy(params);
                        }),
                board),
            "buggy-sampler",
            ModelActor.PROPS);
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    SamplingParams topK7 = new SamplingParams(1.0, 1.0, 7, 1L, 0, 0, -1, LogitBias.NONE);
    model.tell(new Generate(GenerationRequest.of("bad", prompt(5), topK7, 3), probe.getRef()));
    assertEquals("bad", probe.expectMessageClass(GenerationEvent.Failed.class).requestId());
    model.tell(generate("good", prompt(5), 3, probe));
    assertEquals(3, awaitEvent(probe, GenerationEvent.Finished.class).completionTokens());
  }

  @Test
  void aLoadedReplicaAnswersReadyNamingItselfAndItsKernel() {
    Replica model = spawn(runner(64, 0));
    TestProbe<ModelActor.Readiness> ready = testKit.createTestProbe(ModelActor.Readiness.class);
    model.ref().tell(new ModelActor.WhenReady(ready.getRef()));
    ModelActor.Ready answer = ready.expectMessageClass(ModelActor.Ready.class);
    assertEquals(model.id(), answer.replica());
    assertEquals(model.runner().kernel(), answer.kernel());
    testKit.stop(model.ref());
  }

  @Test
  void aReplicaThatFailsToLoadRefusesEveryRequestAndSaysSoWhenAskedIfReady() {
    ReplicaId id = new ReplicaId("broken", 0);
    ActorRef<Command> model =
        testKit.spawn(
            ModelActor.create(id, "cpu()", replica -> {
              throw new IllegalStateException("no weights");
            }, board),
            "broken",
            ModelActor.PROPS);
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    model.tell(generate("b1", prompt(5), 5, probe));
    GenerationEvent.Rejected rejected = probe.expectMessageClass(GenerationEvent.Rejected.class);
    assertEquals(Rejection.Reason.UNAVAILABLE, rejected.rejection().reason());
    assertTrue(rejected.rejection().message().contains("no weights"), rejected.rejection().message());
    assertEquals(ModelStats.Status.FAILED, board.get("broken#0").orElseThrow().status());
    TestProbe<ModelActor.Readiness> ready = testKit.createTestProbe(ModelActor.Readiness.class);
    model.tell(new ModelActor.WhenReady(ready.getRef()));
    ModelActor.LoadFailed loadFailed = ready.expectMessageClass(ModelActor.LoadFailed.class);
    assertEquals(id, loadFailed.replica());
    assertTrue(loadFailed.reason().contains("no weights"), loadFailed.reason());
  }

  @Test
  void stoppingFailsWhatIsInFlightAndClosesTheRunner() {
    Replica model = spawn(runner(64, 10));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    model.ref().tell(generate("s1", prompt(10), 500, probe));
    probe.expectMessageClass(GenerationEvent.Accepted.class);
    testKit.stop(model.ref());
    GenerationEvent last =
        awaitEvent(probe, GenerationEvent.Failed.class);
    assertInstanceOf(GenerationEvent.Failed.class, last);
    probe.awaitAssert(() -> {
      assertTrue(model.runner().isClosed());
      return null;
    });
  }
}
