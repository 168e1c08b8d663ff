package dev.robin.serving.router;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.serving.replica.GenerationEvent;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.RobinTestConfig;
import dev.robin.serving.router.TestReplicas.Loads;
import dev.robin.serving.router.TestReplicas.Routed;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The router on one node: it refuses while no replica is listed and spreads requests by load. */
class ReplicaRouterTest {

  private static final ActorTestKit testKit = ActorTestKit.create(RobinTestConfig.load(""));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static ModelActor.Generate generate(String id, int maxTokens, TestProbe<GenerationEvent> probe) {
    return new ModelActor.Generate(
        GenerationRequest.of(id, new int[] {1, 2, 3}, SamplingParams.GREEDY, maxTokens), probe.getRef());
  }

  @Test
  void aModelWithNoReplicaIsUnavailable() {
    ActorRef<ModelActor.Generate> router = testKit.spawn(ReplicaRouter.create("nobody"));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    router.tell(generate("x", 2, probe));
    Rejection rejection = probe.expectMessageClass(GenerationEvent.Rejected.class).rejection();
    assertEquals(Rejection.Reason.UNAVAILABLE, rejection.reason());
    assertTrue(rejection.message().contains("nobody"), rejection.message());
  }

  @Test
  void aRouterCreatedWithItsNodesReadyReplicasRoutesAtOnce() {
    ActorRef<ModelActor.Command> replica = TestReplicas.spawn(testKit, "local", 0, 0);
    TestProbe<ModelActor.Readiness> ready = testKit.createTestProbe(ModelActor.Readiness.class);
    replica.tell(new ModelActor.WhenReady(ready.getRef()));
    ready.expectMessageClass(ModelActor.Ready.class);
    ActorRef<ModelActor.Generate> router = testKit.spawn(ReplicaRouter.create("local", java.util.List.of(replica)));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    router.tell(generate("first", 2, probe)); // no wait for the receptionist's listing
    assertEquals(replica, probe.expectMessageClass(GenerationEvent.Accepted.class).replica());
    var seen = ReplicaDirectory.get(testKit.system()).replicas("local");
    assertEquals(1, seen.size(), seen.toString());
    assertTrue(seen.get(0).local(), seen.toString());
    testKit.stop(replica);
    eventually(Duration.ofSeconds(5), () -> {
      router.tell(generate("after-" + System.nanoTime(), 2, probe));
      GenerationEvent event = probe.receiveMessage(Duration.ofSeconds(2));
      assertEquals(Rejection.Reason.UNAVAILABLE,
          assertInstanceOf(GenerationEvent.Rejected.class, event).rejection().reason(), "a stopped replica is dropped");
    });
  }

  @Test
  void aBurstIsSpreadOverTheReplicasByLoad() {
    ActorRef<ModelActor.Command> first = TestReplicas.spawn(testKit, "spread", 0, 5);
    ActorRef<ModelActor.Command> second = TestReplicas.spawn(testKit, "spread", 1, 5);
    ActorRef<ModelActor.Generate> router = testKit.spawn(ReplicaRouter.create("spread"));
    TestProbe<GenerationEvent> probe = testKit.createTestProbe(GenerationEvent.class);
    eventually(Duration.ofSeconds(10), () -> {
      router.tell(generate("warm-" + System.nanoTime(), 1, probe));
      assertInstanceOf(GenerationEvent.Accepted.class, probe.receiveMessage(Duration.ofSeconds(2)));
    });
    TestProbe<GenerationEvent> burst = testKit.createTestProbe(GenerationEvent.class);
    for (int i = 0; i < 8; i++) {
      router.tell(generate("b" + i, 200, burst));
    }
    Map<ActorRef<ModelActor.Command>, Integer> perReplica = new HashMap<>();
    for (int accepted = 0; accepted < 8; ) {
      GenerationEvent event = burst.receiveMessage(Duration.ofSeconds(5));
      if (event instanceof GenerationEvent.Accepted a && a.requestId().startsWith("b")) {
        perReplica.merge(a.replica(), 1, Integer::sum);
        accepted++;
      }
    }
    // Alternating exactly unless a published load lands mid-burst; never all on one.
    assertTrue(perReplica.getOrDefault(first, 0) >= 3, perReplica.toString());
    assertTrue(perReplica.getOrDefault(second, 0) >= 3, perReplica.toString());
  }

  // ---- Over two stand-in replicas "a" and "b" whose loads the tests publish. ----

  /** A router of {@code modelId} over stand-ins a and b. */
  private record TwoReplicas(
      ActorRef<ModelActor.Generate> router, ActorRef<ModelActor.Command> a, ActorRef<ModelActor.Command> b,
      TestProbe<Routed> inbox, Loads loads, String modelId) {

    static TwoReplicas start(String modelId) {
      TestProbe<Routed> inbox = testKit.createTestProbe(Routed.class);
      ActorRef<ModelActor.Command> a = TestReplicas.standIn(testKit, "a", inbox.getRef());
      ActorRef<ModelActor.Command> b = TestReplicas.standIn(testKit, "b", inbox.getRef());
      ActorRef<ModelActor.Generate> router = testKit.spawn(ReplicaRouter.create(modelId, List.of(a, b)));
      return new TwoReplicas(router, a, b, inbox, new Loads(testKit, modelId, 2), modelId);
    }

    /** Sends {@code prompt} as request {@code id} and asserts that stand-in {@code replica} got it. */
    void expectRouted(String id, int[] prompt, String replica) {
      TestProbe<GenerationEvent> events = testKit.createTestProbe(GenerationEvent.class);
      router.tell(new ModelActor.Generate(GenerationRequest.of(id, prompt, SamplingParams.GREEDY, 4), events.getRef()));
      assertEquals(new Routed(replica, id), inbox.receiveMessage(Duration.ofSeconds(5)));
    }
  }

  @Test
  void amongEquallyLoadedReplicasTheLowerKvCacheUseWinsNotTurns() {
    TwoReplicas t = TwoReplicas.start("tie");
    for (int i = 0; i < 3; i++) {
      t.loads().publish(t.a(), 0, 0, 0.40 + i / 100.0);
      t.loads().publish(t.b(), 0, 0, 0.20 + i / 100.0);
      t.expectRouted("t" + i, new int[] {1, 2}, "b"); // taking turns would send one of them to a
    }
  }
}
