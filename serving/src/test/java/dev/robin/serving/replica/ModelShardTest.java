package dev.robin.serving.replica;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.serving.stats.ModelStatsBoard;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.serving.replica.ModelActor.Generate;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.testkit.FakeRunner;
import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A single-node cluster that joins itself and serves a model replica as a sharded entity. */
class ModelShardTest {

  private static ActorTestKit testKit;

  @BeforeAll
  static void startCluster() {
    testKit =
        ActorTestKit.create(
            "ModelShardTest",
            RobinTestConfig.load(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                """));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          assertEquals(MemberStatus.up(), cluster.selfMember().status());
          return null;
        });
  }

  @AfterAll
  static void stopCluster() {
    testKit.shutdownTestKit();
  }

  @Test
  void aShardedReplicaGeneratesOnItsPinnedThread() {
    ModelStatsBoard board = new ModelStatsBoard();
    FakeRunner runner = ModelActorTest.runner(32, 0);
    SchedulerConfig config = SchedulerConfig.defaults(512, Set.of(0));
    ModelShard.init(
        testKit.system(), "cpu()", replica -> new EngineCore(config, runner, ModelActorTest::greedy), board);
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    ReplicaId replica = ReplicaId.parse("tiny#0");
    ModelShard.entityRef(ClusterSharding.get(testKit.system()), replica)
        .tell(new Generate(GenerationRequest.of("s1", new int[] {1, 2, 3}, SamplingParams.GREEDY, 4), probe.getRef()));
    var events =
        probe.fishForMessage(
            Duration.ofSeconds(10),
            e -> e instanceof GenerationEvent.Finished ? FishingOutcomes.complete() : FishingOutcomes.continueAndCollect());
    assertEquals("s1", assertInstanceOf(GenerationEvent.Accepted.class, events.get(0)).requestId());
    assertEquals(
        new GenerationEvent.Finished("s1", FinishReason.LENGTH, 3, 4, 0),
        events.get(events.size() - 1));
    assertEquals("tiny", board.get("tiny#0").orElseThrow().modelId());
    assertTrue(runner.threadNames().stream().allMatch(n -> n.contains(ModelActor.DISPATCHER)));
  }

  @Test
  void aMalformedEntityIdBecomesAReplicaThatRefuses() {
    ModelStatsBoard board = new ModelStatsBoard();
    ModelShard.init(testKit.system(), "cpu()", replica -> { throw new AssertionError("not called"); }, board);
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    ClusterSharding.get(testKit.system())
        .entityRefFor(ModelShard.TYPE_KEY, "no-replica-number")
        .tell(new Generate(GenerationRequest.of("x", new int[] {1}, SamplingParams.GREEDY, 1), probe.getRef()));
    Rejection refused = probe.expectMessageClass(GenerationEvent.Rejected.class, Duration.ofSeconds(10)).rejection();
    assertEquals(Rejection.Reason.UNAVAILABLE, refused.reason());
    assertTrue(refused.message().contains("<modelId>#<replica>"), refused.message());
  }
}
