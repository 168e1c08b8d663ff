package dev.robin.serving.router;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The router on one node: it refuses while no replica is listed, spreads requests by load, and sends a prompt to
 * the replica that got its prefix while that replica is not much busier than the least loaded.
 */
class ReplicaRouterTest {

  private static final ActorTestKit testKit = ActorTestKit.create(RobinTestConfig.load(""));
  /** Tokens per KV block in the prefix-affinity tests. */
  private static final int BLOCK = 4;

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
    // The router names the replica to the requester; a local replica's first events may come before it.
    Set<GenerationEvent> naming = new java.util.HashSet<>();
    probe.fishForMessage(Duration.ofSeconds(3), e -> {
      if (e instanceof GenerationEvent.Routed || e instanceof GenerationEvent.Accepted) {
        naming.add(e);
      }
      return naming.size() == 2 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    assertEquals(Set.of(new GenerationEvent.Routed("first", replica), new GenerationEvent.Accepted("first", replica)),
        naming);
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
      probe.fishForMessage(Duration.ofSeconds(2), e -> e instanceof GenerationEvent.Accepted
          ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
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

  /** A router of {@code modelId} over stand-ins a and b, remembering {@code prefixes} prefixes of 4-token blocks. */
  private record TwoReplicas(
      ActorRef<ModelActor.Generate> router, ActorRef<ModelActor.Command> a, ActorRef<ModelActor.Command> b,
      TestProbe<Routed> inbox, Loads loads, String modelId) {

    static TwoReplicas start(String modelId, int prefixes) {
      TestProbe<Routed> inbox = testKit.createTestProbe(Routed.class);
      ActorRef<ModelActor.Command> a = TestReplicas.standIn(testKit, "a", inbox.getRef());
      ActorRef<ModelActor.Command> b = TestReplicas.standIn(testKit, "b", inbox.getRef());
      ActorRef<ModelActor.Generate> router =
          testKit.spawn(ReplicaRouter.create(modelId, List.of(a, b), BLOCK, prefixes));
      return new TwoReplicas(router, a, b, inbox, new Loads(testKit, modelId, 2), modelId);
    }

    /** Sends {@code prompt} as request {@code id} and asserts that stand-in {@code replica} got it. */
    void expectRouted(String id, int[] prompt, String replica) {
      TestProbe<GenerationEvent> events = testKit.createTestProbe(GenerationEvent.class);
      router.tell(new ModelActor.Generate(GenerationRequest.of(id, prompt, SamplingParams.GREEDY, 4), events.getRef()));
      assertEquals(new Routed(replica, id), inbox.receiveMessage(Duration.ofSeconds(5)));
    }

    ReplicaDirectory.RoutingCounts counts() {
      return ReplicaDirectory.get(testKit.system()).routing(modelId);
    }
  }

  /** {@code blocks} full blocks of tokens from {@code first} on, then {@code tail}. */
  private static int[] prompt(int first, int blocks, int... tail) {
    int[] head = IntStream.range(first, first + blocks * BLOCK).toArray();
    int[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  @Test
  void amongEquallyLoadedReplicasTheLowerKvCacheUseWinsNotTurns() {
    TwoReplicas t = TwoReplicas.start("tie", 1024);
    for (int i = 0; i < 3; i++) {
      t.loads().publish(t.a(), 0, 0, 0.40 + i / 100.0);
      t.loads().publish(t.b(), 0, 0, 0.20 + i / 100.0);
      t.expectRouted("t" + i, new int[] {1, 2}, "b"); // taking turns would send one of them to a
    }
  }

  // Prefix affinity.

  @Test
  void theCloseRuleAllowsOneRequestMoreOrAQuarterMore() {
    assertTrue(ReplicaRouter.isClose(1, 0));
    assertFalse(ReplicaRouter.isClose(2, 0));
    assertTrue(ReplicaRouter.isClose(4, 3));
    assertFalse(ReplicaRouter.isClose(5, 3));
    assertTrue(ReplicaRouter.isClose(10, 8));
    assertFalse(ReplicaRouter.isClose(11, 8));
    assertTrue(ReplicaRouter.isClose(25, 20));
    assertFalse(ReplicaRouter.isClose(26, 20));
    assertTrue(ReplicaRouter.isClose(7, 7));
  }

  @Test
  void aPromptGoesToTheReplicaThatGotItsPrefixWhileItIsNotMuchBusier() {
    TwoReplicas t = TwoReplicas.start("affinity-close", 1024);
    t.loads().publish(t.a(), 0, 0, 0.10);
    t.loads().publish(t.b(), 0, 0, 0.20);
    t.expectRouted("p1", prompt(100, 2, 1, 2, 3), "a"); // equal loads: the lower KV use
    // b is idle and a has one request more: close, so the shared prefix wins (by load alone: b)
    t.expectRouted("p2", prompt(100, 2, 7), "a");
    assertEquals(new ReplicaDirectory.RoutingCounts(2, 1, 1), t.counts());
    // a has two more now: beyond "close", the prompt goes by load, and its prefix is remembered with b
    t.expectRouted("p3", prompt(100, 2, 8, 9), "b");
    t.expectRouted("other", prompt(500, 1, 1), "b"); // a 2, b 1
    t.expectRouted("p4", prompt(100, 2, 5), "b"); // a 2, b 2: b got the prefix last (by load a, the lower KV use)
    assertEquals(new ReplicaDirectory.RoutingCounts(5, 3, 2), t.counts());
  }

  @Test
  void aPromptGoesElsewhereWhenTheReplicaThatGotItsPrefixIsClearlyBusier() {
    TwoReplicas t = TwoReplicas.start("affinity-busy", 1024);
    t.loads().publish(t.a(), 0, 8, 0.10);
    t.loads().publish(t.b(), 0, 9, 0.20);
    t.expectRouted("q1", prompt(200, 3, 1), "a"); // 8 < 9
    t.loads().publish(t.a(), 2, 8, 0.11); // a: 10 requests
    t.loads().publish(t.b(), 0, 8, 0.21); // b: 8
    t.expectRouted("q2", prompt(200, 3, 2), "a"); // 10 <= 8 + 25% of 8
    t.expectRouted("q3", prompt(200, 3, 3), "b"); // 11 > 10
    t.loads().publish(t.a(), 0, 8, 0.12); // a: 8
    t.loads().publish(t.b(), 0, 9, 0.22); // b: 9
    t.expectRouted("q4", prompt(200, 3, 4), "b"); // b got the prefix last, and 9 <= 8 + 1
    assertEquals(new ReplicaDirectory.RoutingCounts(4, 3, 2), t.counts());
  }

  @Test
  void aReplicaWhoseKvCacheIsNearlyFullGetsNoRequestForItsPrefixAlone() {
    TwoReplicas t = TwoReplicas.start("affinity-kv", 1024);
    t.loads().publish(t.a(), 0, 0, 0.10);
    t.loads().publish(t.b(), 0, 0, 0.20);
    t.expectRouted("k1", prompt(300, 2, 1), "a");
    t.loads().publish(t.a(), 0, 0, 0.95);
    t.expectRouted("k2", prompt(300, 2, 2), "b"); // equal loads, and a's KV cache is nearly full
    t.loads().publish(t.b(), 0, 0, 0.30);
    t.loads().publish(t.a(), 0, 0, 0.85);
    t.expectRouted("k3", prompt(300, 2, 3), "b"); // b got it last, and b has the lower KV use anyway
    t.loads().publish(t.b(), 0, 0, 0.89);
    t.expectRouted("k4", prompt(300, 2, 4), "b"); // a is less used now, but b is at 0.89 (< 0.9) and got it last
  }

  @Test
  void differentPrefixesSpreadByLoad() {
    TwoReplicas t = TwoReplicas.start("affinity-spread", 1024);
    t.loads().publish(t.a(), 0, 0, 0.10);
    t.loads().publish(t.b(), 0, 0, 0.20);
    t.expectRouted("d1", prompt(1000, 2, 1), "a");
    t.expectRouted("d2", prompt(2000, 2, 1), "b"); // had every prompt the same key, a (one more) would get it
    t.expectRouted("d3", prompt(3000, 2, 1), "a");
    t.expectRouted("d4", prompt(4000, 2, 1), "b");
    assertEquals(new ReplicaDirectory.RoutingCounts(4, 0, 0), t.counts());
  }

  @Test
  void aPromptShorterThanABlockGoesByLoadOnly() {
    TwoReplicas t = TwoReplicas.start("affinity-short", 1024);
    t.loads().publish(t.a(), 0, 0, 0.10);
    t.loads().publish(t.b(), 0, 0, 0.20);
    int[] shortPrompt = {7, 8, 9};
    t.expectRouted("s1", shortPrompt, "a");
    t.expectRouted("s2", shortPrompt, "b"); // the same prompt, but by load
    int[] oneBlock = {7, 8, 9, 10};
    t.expectRouted("s3", oneBlock, "a"); // a full block, but the replica computes the last token anyway: by load
    t.expectRouted("s4", oneBlock, "b");
    assertEquals(new ReplicaDirectory.RoutingCounts(4, 0, 0), t.counts());
    // ...but remembered, for longer prompts: b got it last
    t.expectRouted("s5", new int[] {7, 8, 9, 10, 11}, "b");
    assertEquals(new ReplicaDirectory.RoutingCounts(5, 1, 1), t.counts());
  }

  @Test
  void theRouterRemembersABoundedNumberOfPrefixes() {
    TwoReplicas t = TwoReplicas.start("affinity-bounded", 2); // one prompt of two full blocks fills it
    t.loads().publish(t.a(), 0, 0, 0.10);
    t.loads().publish(t.b(), 0, 0, 0.20);
    t.expectRouted("m1", prompt(100, 2, 1), "a");
    t.expectRouted("m2", prompt(900, 2, 1), "b"); // a new prefix: the first one is forgotten
    t.loads().publish(t.a(), 0, 1, 0.11);
    t.loads().publish(t.b(), 0, 0, 0.21);
    t.expectRouted("m3", prompt(100, 2, 2), "b"); // by load: a (one more) would have got it, had it been remembered
    assertEquals(new ReplicaDirectory.RoutingCounts(3, 0, 0), t.counts());
  }

  @Test
  void prefixesOfAReplicaThatLeftAreForgotten() {
    TwoReplicas t = TwoReplicas.start("affinity-left", 1024);
    t.loads().publish(t.a(), 0, 0, 0.10);
    t.loads().publish(t.b(), 0, 0, 0.20);
    t.expectRouted("l1", prompt(100, 2, 1), "a");
    testKit.stop(t.a());
    eventually(Duration.ofSeconds(5),
        () -> assertEquals(1, ReplicaDirectory.get(testKit.system()).replicas("affinity-left").size()));
    t.expectRouted("l2", prompt(100, 2, 2), "b");
    assertEquals(new ReplicaDirectory.RoutingCounts(2, 0, 0), t.counts(), "a's prefix was forgotten with it");
  }
}
