package dev.robin.serving.replica;

import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.serving.replica.ModelActor.Cancel;
import dev.robin.serving.replica.ModelActor.Command;
import dev.robin.serving.replica.ModelActor.Generate;
import dev.robin.engine.load.EngineOptions;
import dev.robin.engine.load.LoadedModel;
import dev.robin.engine.model.PagedKvCache;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.testkit.GoldenCase;
import dev.robin.engine.testkit.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Through a model actor serving the real stories260k engine: requests cancelled with {@link Cancel} or whose
 * requester stops, at random points (still queued, in prefill, decoding), give every KV block back, as the
 * published {@link ModelStats} show, and the replica still produces the golden outputs afterwards.
 */
class ModelActorCancellationTest {

  private static final int NUM_REQUESTS = 48;
  private static final int NUM_BLOCKS = 48;
  private static final ActorTestKit testKit = ActorTestKit.create(RobinTestConfig.load(""));
  private static LoadedModel model;

  /** What a test requester does after its {@code afterTokens}-th Tokens event (0: on Accepted). */
  private enum Fate {
    CANCEL,
    DIE,
    COMPLETE
  }

  @BeforeAll
  static void open() {
    model =
        LoadedModel.open(
            "stories260k",
            TestModels.stories260k().toString(),
            EngineOptions.defaults()
                .withKvCacheBytes(NUM_BLOCKS * 20_480L)
                .withScheduler(
                    (len, eos) ->
                        SchedulerConfig.defaults(len, eos)
                            .withMaxNumBatchedTokens(64)
                            .withMaxNumSeqs(16)
                            .withMaxNumWaiting(1000)));
    assertEquals(20_480L, PagedKvCache.bytesPerBlock(model.config(), 16, 4));
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
    model.close();
  }

  /** Forwards every event to {@code monitor}; cancels, stops or carries on after {@code afterTokens}. */
  private static Behavior<GenerationEvent> requester(
      Fate fate, int afterTokens, String requestId, ActorRef<Command> model, ActorRef<GenerationEvent> monitor) {
    int[] numTokenEvents = {0};
    return Behaviors.receive(GenerationEvent.class)
        .onAnyMessage(
            event -> {
              monitor.tell(event);
              boolean trigger =
                  event instanceof GenerationEvent.Accepted
                      ? afterTokens == 0
                      : event instanceof GenerationEvent.Tokens && ++numTokenEvents[0] == afterTokens;
              if (trigger && fate == Fate.CANCEL) {
                model.tell(new Cancel(requestId));
              } else if (trigger && fate == Fate.DIE) {
                return Behaviors.stopped();
              }
              return Behaviors.same();
            })
        .build();
  }

  @Test
  void cancelledAndAbandonedRequestsLeaveTheBlockPoolFull() {
    ModelStatsBoard board = new ModelStatsBoard();
    ReplicaId replica = new ReplicaId("stories260k", 0);
    ActorRef<Command> actor =
        testKit.spawn(
            ModelActor.create(replica, "cpu()", LoadedModelEngineFactory.of(model), board),
            "stories260k-cancel",
            ModelActor.PROPS);
    TestProbe<GenerationEvent> monitor = testKit.createTestProbe(GenerationEvent.class);
    Random random = new Random(7);
    int[] prefix = IntStream.range(0, 40).map(i -> 3 + random.nextInt(500)).toArray();
    Map<Fate, Integer> numByFate = new HashMap<>();
    List<String> awaitingEnd = new ArrayList<>();
    for (int i = 0; i < NUM_REQUESTS; i++) {
      Fate fate = Fate.values()[i % 3];
      String id = "r" + i;
      int length = random.nextInt(4) == 0 ? 100 + random.nextInt(150) : 1 + random.nextInt(60);
      int[] prompt = IntStream.range(0, length).map(j -> 3 + random.nextInt(500)).toArray();
      if (random.nextBoolean()) {
        System.arraycopy(prefix, 0, prompt, 0, Math.min(prefix.length, prompt.length));
      }
      ActorRef<GenerationEvent> ref =
          testKit.spawn(requester(fate, random.nextInt(4), id, actor, monitor.getRef()), "requester-" + i);
      actor.tell(new Generate(GenerationRequest.of(id, prompt, SamplingParams.GREEDY, 20 + random.nextInt(40)), ref));
      numByFate.merge(fate, 1, Integer::sum);
      if (fate != Fate.DIE) {
        awaitingEnd.add(id);
      }
    }
    int numCancelledSeen = 0;
    while (!awaitingEnd.isEmpty()) {
      GenerationEvent event = monitor.receiveMessage(Duration.ofSeconds(120));
      if (event instanceof GenerationEvent.Finished f) {
        awaitingEnd.remove(f.requestId());
        numCancelledSeen += f.reason() == FinishReason.ABORTED ? 1 : 0;
      } else if (event instanceof GenerationEvent.Failed || event instanceof GenerationEvent.Rejected) {
        throw new AssertionError("unexpected " + event);
      }
    }
    int numCancelledFinally = numCancelledSeen;
    assertTrue(numCancelledFinally > 0, "some Cancel arrived before the request finished");
    monitor.awaitAssert(
        Duration.ofSeconds(120),
        () -> {
          ModelStats stats = board.get(replica.entityId()).orElseThrow();
          assertEquals(0, stats.numRunning(), stats.toString());
          assertEquals(0, stats.numWaiting(), stats.toString());
          assertEquals(0, stats.numKvBlocksUsed(), "free blocks == total: " + stats);
          assertEquals(NUM_BLOCKS, stats.numKvBlocksTotal());
          assertEquals(NUM_REQUESTS, stats.numRequestsTotal());
          assertTrue(
              stats.numCancelledTotal() > numCancelledFinally,
              "dead requesters' sequences were aborted too: " + stats);
          assertTrue(stats.numCancelledTotal() <= numByFate.get(Fate.CANCEL) + numByFate.get(Fate.DIE));
          return null;
        });
    System.out.println("actor cancellation: " + board.get(replica.entityId()).orElseThrow());

    // The replica still serves correctly: what the aborted sequences cached is right.
    for (GoldenCase c : TestModels.stories260kGoldenCases()) {
      TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
      actor.tell(new Generate(GenerationRequest.of("golden-" + c.prompt(), c.promptIds(), SamplingParams.GREEDY, 64), probe.getRef()));
      List<Integer> tokens = new ArrayList<>();
      GenerationEvent event;
      do {
        event = probe.receiveMessage(Duration.ofSeconds(60));
        if (event instanceof GenerationEvent.Tokens t) {
          t.tokens().stream().map(SampledToken::tokenId).forEach(tokens::add);
        }
      } while (!(event instanceof GenerationEvent.Finished));
      assertArrayEquals(c.outputIds(), tokens.stream().mapToInt(Integer::intValue).toArray(), c.prompt());
    }
    testKit.stop(actor);
  }
}
