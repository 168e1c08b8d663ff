package dev.robin.serving.replica;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.serving.replica.ModelActor.Command;
import dev.robin.serving.replica.ModelActor.Generate;
import dev.robin.engine.load.EngineOptions;
import dev.robin.engine.load.LoadedModel;
import dev.robin.engine.model.PagedKvCache;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.testkit.GoldenCase;
import dev.robin.engine.testkit.TestModels;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A model actor built by {@link LoadedModelEngineFactory} serves the real stories260k model. */
class LoadedModelEngineFactoryTest {

  private static final ActorTestKit testKit = ActorTestKit.create(RobinTestConfig.load(""));
  private static LoadedModel model;

  @BeforeAll
  static void open() {
    model =
        LoadedModel.open(
            "stories260k", TestModels.stories260k().toString(), EngineOptions.defaults().withKvCacheBytes(4L << 20));
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
    model.close();
  }

  @Test
  void aReplicaStreamsTheGoldenGreedyTokensOfEachPrompt() {
    ModelStatsBoard board = new ModelStatsBoard();
    ReplicaId replica = new ReplicaId("stories260k", 0);
    ActorRef<Command> actor =
        testKit.spawn(
            ModelActor.create(replica, "cpu()", LoadedModelEngineFactory.of(model), board),
            "stories260k-0",
            ModelActor.PROPS);
    List<GoldenCase> cases = TestModels.stories260kGoldenCases();
    assertFalse(cases.isEmpty());
    for (int i = 0; i < cases.size(); i++) {
      GoldenCase c = cases.get(i);
      TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
      int n = c.outputIds().length;
      actor.tell(new Generate(GenerationRequest.of("g" + i, c.promptIds(), SamplingParams.GREEDY, n), probe.getRef()));
      assertEquals("g" + i, assertInstanceOf(GenerationEvent.Accepted.class, probe.receiveMessage(Duration.ofSeconds(30))).requestId());
      probe.expectMessageClass(GenerationEvent.Started.class, Duration.ofSeconds(10));
      int[] streamed = new int[n];
      int count = 0;
      while (count < n) {
        GenerationEvent.Tokens tokens = probe.expectMessageClass(GenerationEvent.Tokens.class);
        for (var token : tokens.tokens()) {
          streamed[count++] = token.tokenId();
        }
      }
      assertArrayEquals(c.outputIds(), streamed, "prompt \"" + c.prompt() + "\"");
      GenerationEvent.Finished finished = probe.expectMessageClass(GenerationEvent.Finished.class);
      assertEquals(FinishReason.LENGTH, finished.reason());
      assertEquals(c.promptIds().length, finished.promptTokens());
      assertEquals(n, finished.completionTokens());
    }
    // Stats are published just after the step that sent Finished.
    testKit.createTestProbe().awaitAssert(
        () -> {
          ModelStats stats = board.get(replica.entityId()).orElseThrow();
          assertEquals(ModelStats.Status.READY, stats.status());
          assertEquals(0, stats.numKvBlocksUsed());
          long perBlock = PagedKvCache.bytesPerBlock(model.config(), 16, 4);
          assertEquals((4 << 20) / perBlock, stats.numKvBlocksTotal(), "the pool is sized from the 4 MiB budget");
          return null;
        });
    testKit.stop(actor);
  }

  @Test
  void aReplicaOfAModelNotServedHereFailsNamingTheServedModels() {
    LoadedModelEngineFactory factory = LoadedModelEngineFactory.of(model);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> factory.create(new ReplicaId("gpt-9", 0)));
    assertTrue(e.getMessage().contains("gpt-9") && e.getMessage().contains("stories260k"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LoadedModelEngineFactory(List.of(model, model)));
  }
}
